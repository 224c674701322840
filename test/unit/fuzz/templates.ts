// Valid streams built with our own encoders, the raw material for mutation fuzzing. Each is the
// stream type followed by whole messages, so a test can also lie in one message's length prefix.

import { toPath } from "../../../main/moq/model/path.ts";
import { varintLength } from "../../../main/moq/coding/varint.ts";
import { encodeAnnounce, encodeAnnounceInterest, encodeAnnounceOk } from "../../../main/moq/lite/wire/announce.ts";
import { encodeAnnounce06 } from "../../../main/moq/lite/wire/announce-06.ts";
import { encodeFetch } from "../../../main/moq/lite/wire/fetch.ts";
import { encodeGoaway } from "../../../main/moq/lite/wire/goaway.ts";
import {
  encodeFrame,
  encodeGroupHeader,
  encodeTimedFrame,
  framesCarryTimestamps,
} from "../../../main/moq/lite/wire/group.ts";
import { encodeSessionSetup } from "../../../main/moq/lite/wire/setup-stream.ts";
import { encodeTrackInfo, encodeTrackRequest } from "../../../main/moq/lite/wire/track.ts";
import { encodeProbe } from "../../../main/moq/lite/wire/probe.ts";
import { BidiStreamType, UniStreamType } from "../../../main/moq/lite/wire/stream-type.ts";
import {
  encodeSubscribe,
  encodeSubscribeDrop,
  encodeSubscribeEnd,
  encodeSubscribeOk,
  encodeSubscribeStart,
  encodeSubscribeUpdate,
} from "../../../main/moq/lite/wire/subscribe.ts";
import { versionAtLeast, type Version } from "../../../main/moq/lite/wire/version.ts";
import { text } from "../../helpers/wait.ts";
import { concat, varintOfSize } from "./bytes.ts";

export interface Template {
  name: string;
  uni: boolean;
  type: number;
  /** Encoded messages, each starting with its `Length (i)` (frames: payload length, after a 05+ timestamp). */
  messages: Uint8Array[];
}

export const bytesOf = (t: Template) => concat([t.type], ...t.messages);

/** The raw peer's own Setup stream (05+), as a template to mutate. */
export function setupTemplate(version: Version): Template {
  return {
    name: "SETUP (stream)",
    uni: true,
    type: UniStreamType.Setup,
    messages: [encodeSessionSetup({ probe: 2, role: 2, path: "fuzz", cost: 3, hop: 77 }, version)],
  };
}

/** What a subscriber (the raw peer) opens towards a publisher: our server's side of the fuzz. */
export function requestTemplates(version: Version, live: { broadcast: string; track: string }): Template[] {
  const frame = (payload: Uint8Array, timestamp: number) =>
    framesCarryTimestamps(version) ? encodeTimedFrame(timestamp, payload, version) : encodeFrame(payload);
  const out: Template[] = [
    {
      name: "ANNOUNCE_INTEREST",
      uni: false,
      type: BidiStreamType.Announce,
      messages: [encodeAnnounceInterest({ prefix: toPath("fuzz"), excludeHop: 7 }, version)],
    },
    {
      name: "SUBSCRIBE + SUBSCRIBE_UPDATE (served track)",
      uni: false,
      type: BidiStreamType.Subscribe,
      messages: [
        encodeSubscribe(
          {
            id: 3,
            broadcast: toPath(live.broadcast),
            track: live.track,
            priority: 5,
            ordered: true,
            maxLatencyMs: 500,
            startGroup: 0,
            endGroup: 9,
          },
          version,
        ),
        encodeSubscribeUpdate({ priority: 9, ordered: false, maxLatencyMs: 250 }, version),
      ],
    },
    {
      name: "SUBSCRIBE (unknown broadcast)",
      uni: false,
      type: BidiStreamType.Subscribe,
      messages: [
        encodeSubscribe(
          { id: 4, broadcast: toPath("nobody/here"), track: "video", priority: 200, ordered: false, maxLatencyMs: 0 },
          version,
        ),
      ],
    },
    {
      name: "FETCH",
      uni: false,
      type: BidiStreamType.Fetch,
      messages: [encodeFetch({ broadcast: toPath(live.broadcast), track: live.track, priority: 1, group: 0 }, version)],
    },
    {
      name: "PROBE targets",
      uni: false,
      type: BidiStreamType.Probe,
      messages: [
        encodeProbe({ bitrate: 2_500_000, rttMs: 25 }, version),
        encodeProbe({ bitrate: 4_000_000, rttMs: 0 }, version),
      ],
    },
    {
      name: "GROUP + FRAMEs",
      uni: true,
      type: UniStreamType.Group,
      messages: [
        encodeGroupHeader({ subscribeId: 0, sequence: 1234 }, version),
        // 05+ frames start with a zigzag timestamp delta.
        frame(text("hello"), 1000),
        frame(new Uint8Array(0), 0),
        frame(new Uint8Array(300).fill(7), -40),
      ],
    },
  ];
  if (versionAtLeast(version, "moq-lite-05")) {
    out.push({
      name: "TRACK",
      uni: false,
      type: BidiStreamType.Track,
      messages: [encodeTrackRequest({ broadcast: toPath(live.broadcast), track: live.track }, version)],
    });
  }
  if (versionAtLeast(version, "moq-lite-06")) {
    // 06 can start and end a subscription or a fetch inside a group.
    out.push(
      {
        name: "SUBSCRIBE with frame bounds",
        uni: false,
        type: BidiStreamType.Subscribe,
        messages: [
          encodeSubscribe(
            {
              id: 5,
              broadcast: toPath(live.broadcast),
              track: live.track,
              priority: 5,
              ordered: false,
              maxLatencyMs: 2000,
              startGroup: 0,
              startFrame: 1,
              endGroup: 3,
              endFrame: 2,
            },
            version,
          ),
        ],
      },
      {
        name: "FETCH from a frame",
        uni: false,
        type: BidiStreamType.Fetch,
        messages: [
          encodeFetch(
            { broadcast: toPath(live.broadcast), track: live.track, priority: 1, group: 0, startFrame: 1, endFrame: 4 },
            version,
          ),
        ],
      },
    );
  }
  if (version === "moq-lite-04") {
    out.push({
      name: "GOAWAY",
      uni: false,
      type: BidiStreamType.Goaway,
      messages: [encodeGoaway({ uri: "https://r2.example/moq" }, version)],
    });
  }
  return out;
}

/** What a publisher answers with: the client side of the fuzz. */
export function responseTemplates(version: Version, subscribeId: number) {
  const v05 = versionAtLeast(version, "moq-lite-05");
  const v06 = versionAtLeast(version, "moq-lite-06");
  // 05+ frames start with a zigzag timestamp delta from the previous frame (the first from 0).
  const frame = (payload: Uint8Array, delta: number) =>
    v05 ? encodeTimedFrame(delta, payload, version) : encodeFrame(payload);
  return {
    /** 05+: the server's Setup stream, type included (06 adds its link cost and hop id). */
    setup: v05
      ? concat(
          [UniStreamType.Setup],
          encodeSessionSetup({ probe: 1, role: 0, ...(v06 ? { cost: 2, hop: 99 } : {}) }, version),
        )
      : new Uint8Array(0),
    /** 05+: the answer to TRACK. */
    trackInfo: v05
      ? encodeTrackInfo({ priority: 3, ordered: true, maxLatencyMs: 10_000, timescale: 1000 }, version)
      : new Uint8Array(0),
    /** The first response, which accepts: SUBSCRIBE_OK before 05, SUBSCRIBE_START from 05. */
    accept: v05
      ? encodeSubscribeStart(0, version)
      : encodeSubscribeOk({ priority: 1, ordered: false, maxLatencyMs: 0 }, version),
    subscribeResponses: v05
      ? [
          encodeSubscribeStart(41, version),
          encodeSubscribeDrop({ startGroup: 5, endGroup: 7, errorCode: 0 }, version),
          // 06: exclusive, and no group came, so any END is consistent.
          encodeSubscribeEnd(50, version),
        ]
      : [
          encodeSubscribeOk(
            { priority: 2, ordered: true, maxLatencyMs: 1000, startGroup: 41, endGroup: undefined },
            version,
          ),
          encodeSubscribeDrop({ startGroup: 5, endGroup: 7, errorCode: 0 }, version),
          encodeSubscribeOk({ priority: 2, ordered: false, maxLatencyMs: 0 }, version),
        ],
    group: [
      UniStreamType.Group,
      ...encodeGroupHeader({ subscribeId, sequence: 0 }, version),
      ...frame(text("A"), 1000),
      ...frame(text("BC"), 33),
      ...frame(new Uint8Array(0), 0),
    ],
    announces: announceResponses(version),
    probes: [
      encodeProbe({ bitrate: 2_500_000, rttMs: versionAtLeast(version, "moq-lite-04") ? 25 : 0 }, version),
      encodeProbe({ bitrate: 0, rttMs: 0 }, version),
    ],
  };
}

/** An announce stream's answer: 05+ opens with ANNOUNCE_OK, 06 then speaks typed announcements. */
function announceResponses(version: Version): Uint8Array[] {
  const ok = versionAtLeast(version, "moq-lite-05") ? [encodeAnnounceOk({ hop: 9, activeCount: 2 }, version)] : [];
  if (versionAtLeast(version, "moq-lite-06")) {
    const cost = { warm: 1, cold: 4 };
    return [
      ...ok,
      encodeAnnounce06({ kind: "start", suffix: toPath("room/alice"), hops: [7, 300], cost }, version), // id 0
      encodeAnnounce06({ kind: "start", suffix: toPath("bob"), hops: [], cost: { warm: 0, cold: 0 } }, version), // id 1
      encodeAnnounce06({ kind: "restart", id: 1, hops: [5], cost }, version),
      encodeAnnounce06({ kind: "end", id: 0 }, version),
    ];
  }
  return [
    ...ok,
    encodeAnnounce({ active: true, suffix: toPath("room/alice"), hops: [7, 300] }, version),
    encodeAnnounce({ active: true, suffix: toPath("bob"), hops: [] }, version),
    encodeAnnounce({ active: false, suffix: toPath("room/alice"), hops: [] }, version),
  ];
}

/** Replace the leading length varint of `message` with `value` written in `size` bytes. */
export function lieAboutLength(message: Uint8Array, value: bigint, size: 1 | 2 | 4 | 8): Uint8Array {
  return concat(varintOfSize(value, size), message.subarray(varintLength(message[0]!)));
}

// Valid streams built with our own encoders, the raw material for mutation fuzzing. Each is the
// stream type followed by whole messages, so a test can also lie in one message's length prefix.

import { toPath } from "../../../main/moq/model/path.ts";
import { varintLength } from "../../../main/moq/coding/varint.ts";
import { encodeAnnounce, encodeAnnounceInterest } from "../../../main/moq/lite/wire/announce.ts";
import { encodeFetch } from "../../../main/moq/lite/wire/fetch.ts";
import { encodeGoaway } from "../../../main/moq/lite/wire/goaway.ts";
import { encodeFrame, encodeGroupHeader } from "../../../main/moq/lite/wire/group.ts";
import { encodeProbe } from "../../../main/moq/lite/wire/probe.ts";
import { BidiStreamType, UniStreamType } from "../../../main/moq/lite/wire/stream-type.ts";
import {
  encodeSubscribe,
  encodeSubscribeDrop,
  encodeSubscribeOk,
  encodeSubscribeUpdate,
} from "../../../main/moq/lite/wire/subscribe.ts";
import type { Version } from "../../../main/moq/lite/wire/version.ts";
import { text } from "../../helpers/wait.ts";
import { concat, varintOfSize } from "./bytes.ts";

export interface Template {
  name: string;
  uni: boolean;
  type: number;
  /** Encoded messages, each starting with its `Length (i)` (frames: payload length). */
  messages: Uint8Array[];
}

export const bytesOf = (t: Template) => concat([t.type], ...t.messages);

/** What a subscriber (the raw peer) opens towards a publisher: our server's side of the fuzz. */
export function requestTemplates(version: Version, live: { broadcast: string; track: string }): Template[] {
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
        encodeFrame(text("hello")),
        encodeFrame(new Uint8Array(0)),
        encodeFrame(new Uint8Array(300).fill(7)),
      ],
    },
  ];
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
  return {
    subscribeResponses: [
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
      ...encodeFrame(text("A")),
      ...encodeFrame(text("BC")),
      ...encodeFrame(new Uint8Array(0)),
    ],
    announces: [
      encodeAnnounce({ active: true, suffix: toPath("room/alice"), hops: [7, 300] }, version),
      encodeAnnounce({ active: true, suffix: toPath("bob"), hops: [] }, version),
      encodeAnnounce({ active: false, suffix: toPath("room/alice"), hops: [] }, version),
    ],
    probes: [
      encodeProbe({ bitrate: 2_500_000, rttMs: version === "moq-lite-04" ? 25 : 0 }, version),
      encodeProbe({ bitrate: 0, rttMs: 0 }, version),
    ],
  };
}

/** Replace the leading length varint of `message` with `value` written in `size` bytes. */
export function lieAboutLength(message: Uint8Array, value: bigint, size: 1 | 2 | 4 | 8): Uint8Array {
  return concat(varintOfSize(value, size), message.subarray(varintLength(message[0]!)));
}

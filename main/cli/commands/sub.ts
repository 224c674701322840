// moqscope sub URL BROADCAST TRACK: subscribe and print each frame as it arrives.

import { Buffer } from "node:buffer";
import { ErrorCode, MoqError, isNotFoundCode, toPath, redactUrl } from "../../moq/node.ts";
import type { GroupReader, Session, Subscription } from "../../moq/node.ts";
import { AnnouncementWatch } from "../../studio/observe/announcement-watch.ts";
import type { CommandRun } from "../command.ts";
import { closeSession, openSession } from "../connection.ts";
import { explainClose, explainCode } from "../errors.ts";
import { formatBitrate, formatBytes, formatDuration, formatRtt, plural, previewPayload } from "../format.ts";
import { commonOptions, expectPositionals, intInRange, parseCommand, positiveInt, relayUrlArg } from "../options.ts";
import { Output } from "../output.ts";
import { whenAborted } from "../signals.ts";
import { attachTrace } from "../trace.ts";
import { commandHelp } from "../usage.ts";

const OPTIONS = {
  count: { type: "string" },
  priority: { type: "string" },
  trace: { type: "boolean" },
} as const;

/** How long the peer gets to list its broadcasts before we call one "not announced". */
const ANNOUNCE_WINDOW_MS = 2000;
/** Shown when listing what is announced instead. */
const MAX_LISTED = 10;

type Outcome = { kind: "count" | "end" | "interrupted" } | { kind: "failed"; message: string; code?: number };

interface Tally {
  frames: number;
  bytes: number;
  groups: number;
}

export const runSub: CommandRun = async (argv, ctx) => {
  const { values, positionals } = parseCommand("sub", argv, OPTIONS);
  if (values.help) {
    process.stdout.write(commandHelp("sub"));
    return 0;
  }
  const [url, broadcastArg, track] = expectPositionals("sub", positionals, ["URL", "BROADCAST", "TRACK"]) as [
    string,
    string,
    string,
  ];
  relayUrlArg("sub", url);
  const count = values.count === undefined ? undefined : positiveInt("sub", "--count", values.count, 1);
  const priority = intInRange("sub", "--priority", values.priority, 128, 0, 255);
  const common = commonOptions("sub", values);
  const out = (ctx.out = new Output(common));
  const broadcast = toPath(broadcastArg);
  const tally: Tally = { frames: 0, bytes: 0, groups: 0 };

  const session = await openSession(url, common, out, ctx.signal);
  const started = performance.now();
  if (!session) {
    printSummary(out, broadcast, track, tally, 0, { kind: "interrupted" });
    return 0;
  }
  const stopTrace = values.trace ? attachTrace(session, out) : undefined;
  const watch = new AnnouncementWatch(session);
  // Generous per-subscription cache: groups are read as soon as they arrive, this only absorbs bursts.
  const subscription = session.subscribe(broadcast, track, { priority, maxCachedGroups: 64 });
  const statusTimer = out.tty ? setInterval(() => out.status(statusText(session, tally, started)), 500) : undefined;

  const outcome = await new Promise<Outcome>((resolve) => {
    let settled = false;
    const settle = (o: Outcome) => {
      if (settled) return;
      settled = true;
      resolve(o);
    };
    const isSettled = () => settled;

    let accepted = false;
    subscription.ok.then(
      () => (accepted = true),
      () => {},
    );
    // 05+: what TRACK_INFO said, once, before the frames (the timescale resolves from it).
    subscription.timescale().then(
      () => {
        const info = subscription.trackInfo;
        if (info && !settled) {
          out.info(
            {
              event: "track-info",
              broadcast,
              track,
              timescale: info.timescale,
              maxAgeMs: info.maxLatencyMs,
              priority: info.priority,
            },
            `track info: timescale ${info.timescale}/s, max age ${info.maxLatencyMs} ms, publisher priority ${info.priority}`,
          );
        }
      },
      () => {},
    );

    void readTrack(subscription, out, tally, count, isSettled, settle, async (code) => {
      // The whole session ended: that, not the subscription, is the story.
      const closed = session.connectionState().close;
      if (closed) return { kind: "failed", message: explainClose(closed), code: closed.code };
      // A refused subscription (13, or any reset before SUBSCRIBE_OK: @moq/lite refuses with 0):
      // work out whether the broadcast or only the track is missing.
      if (isNotFoundCode(code) || !accepted) {
        const seen = await watch.waitFor(broadcast, ANNOUNCE_WINDOW_MS);
        const unknown = watch.describeFailure();
        if (!seen && unknown) {
          // Without announcements there is no telling a missing broadcast from a missing track.
          const message = `subscription to "${broadcast}" track "${track}" was refused: ${explainCode(code)} (${unknown}, so which broadcasts it has is unknown)`;
          return { kind: "failed", message, code };
        }
        if (!seen) return { kind: "failed", message: notAnnounced(broadcast, url, watch), code };
        return {
          kind: "failed",
          message: `no track "${track}" in broadcast "${broadcast}": ${explainCode(code)}`,
          code,
        };
      }
      return {
        kind: "failed",
        message: `subscription to "${broadcast}" track "${track}" was reset: ${explainCode(code)}`,
        code,
      };
    });

    // Nothing accepted and nothing announced within the window: say so instead of waiting forever.
    void watch.waitFor(broadcast, ANNOUNCE_WINDOW_MS).then((seen) => {
      if (!seen && !accepted && tally.frames === 0 && !watch.failure && subscription.active) {
        settle({ kind: "failed", message: notAnnounced(broadcast, url, watch) });
      }
    });

    void whenAborted(ctx.signal).then(() => settle({ kind: "interrupted" }));
    void session.closed.then((info) => settle({ kind: "failed", message: explainClose(info), code: info.code }));
  });

  if (statusTimer) clearInterval(statusTimer);
  subscription.close();
  watch.close();
  out.endStatus();
  await closeSession(session);
  stopTrace?.();
  const durationMs = performance.now() - started;
  if (outcome.kind === "failed") {
    out.error(outcome.message, outcome.code === undefined ? {} : { code: outcome.code });
    if (out.json || tally.frames > 0) printSummary(out, broadcast, track, tally, durationMs, outcome);
    return 1;
  }
  printSummary(out, broadcast, track, tally, durationMs, outcome);
  return 0;
};

/**
 * Read groups as they arrive, each group concurrently (a new group may start before the previous
 * one finished), printing frames until the count is reached or the track ends.
 */
async function readTrack(
  subscription: Subscription,
  out: Output,
  tally: Tally,
  count: number | undefined,
  isSettled: () => boolean,
  settle: (o: Outcome) => void,
  explainReset: (code: number) => Promise<Outcome>,
): Promise<void> {
  const readers = new Set<Promise<void>>();
  for (;;) {
    let group: GroupReader | undefined;
    try {
      group = await subscription.nextGroup();
    } catch (err) {
      if (isSettled()) return;
      const code = err instanceof MoqError ? err.code : ErrorCode.Cancelled;
      settle(await explainReset(code));
      return;
    }
    if (!group || isSettled()) break;
    tally.groups++;
    const reader = readGroup(subscription, group, out, tally, count, isSettled, settle);
    readers.add(reader);
    void reader.finally(() => readers.delete(reader));
  }
  // FIN: let the groups already started finish before declaring the end.
  while (readers.size > 0) await Promise.all([...readers]);
  settle({ kind: "end" });
}

async function readGroup(
  subscription: Subscription,
  group: GroupReader,
  out: Output,
  tally: Tally,
  count: number | undefined,
  isSettled: () => boolean,
  settle: (o: Outcome) => void,
): Promise<void> {
  for (let index = 0; ; index++) {
    let frame: Uint8Array | undefined;
    try {
      frame = await group.readFrame();
    } catch (err) {
      if (isSettled()) return;
      const code = err instanceof MoqError ? err.code : ErrorCode.Cancelled;
      out.record(
        {
          event: "group-reset",
          broadcast: subscription.broadcast,
          track: subscription.name,
          group: group.sequence,
          code,
        },
        `group ${group.sequence} reset after ${plural(index, "frame")}: ${explainCode(code)}`,
      );
      return;
    }
    if (frame === undefined || isSettled()) return;
    if (count !== undefined && tally.frames >= count) return;
    tally.frames++;
    tally.bytes += frame.length;
    out.record(
      {
        event: "frame",
        broadcast: subscription.broadcast,
        track: subscription.name,
        group: group.sequence,
        frame: index,
        size: frame.length,
        ...(group.datagram ? { datagram: true } : {}),
        data: Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength).toString("base64"),
      },
      `group ${group.sequence}${group.datagram ? " (datagram)" : ""} frame ${index}  ${plural(frame.length, "byte")}  ${previewPayload(frame)}`,
    );
    if (count !== undefined && tally.frames >= count) settle({ kind: "count" });
  }
}

function notAnnounced(broadcast: string, url: string, watch: AnnouncementWatch): string {
  const listed = watch.list();
  let there: string;
  if (listed.length === 0) there = "nothing is announced there";
  else {
    const shown = listed
      .slice(0, MAX_LISTED)
      .map((p) => JSON.stringify(p))
      .join(", ");
    const more = listed.length > MAX_LISTED ? ` (and ${listed.length - MAX_LISTED} more)` : "";
    there = `announced there: ${shown}${more}`;
  }
  return `broadcast "${broadcast}" is not announced on ${redactUrl(url)}; ${there}. Check the broadcast path (or run "moqscope inspect ${redactUrl(url)}")`;
}

function statusText(session: Session, tally: Tally, started: number): string {
  const s = session.stats();
  return `${plural(tally.frames, "frame")} · ${formatBytes(tally.bytes)} · ${plural(tally.groups, "group")} · ${formatBitrate(s.recvBitrate)} · rtt ${formatRtt(s.rttMs)} · ${formatDuration(performance.now() - started)}`;
}

const REASONS: Record<Outcome["kind"], string> = {
  count: "--count reached",
  end: "the publisher ended the track",
  interrupted: "interrupted",
  failed: "failed",
};

function printSummary(
  out: Output,
  broadcast: string,
  track: string,
  tally: Tally,
  durationMs: number,
  outcome: Outcome,
): void {
  out.record(
    { event: "summary", broadcast, track, ...tally, durationMs: Math.round(durationMs), reason: outcome.kind },
    `${plural(tally.frames, "frame")}, ${formatBytes(tally.bytes)} in ${plural(tally.groups, "group")} over ${formatDuration(durationMs)} (${REASONS[outcome.kind]})`,
  );
}

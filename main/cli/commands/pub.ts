// moqscope pub URL BROADCAST (--clock | --file PATH | --stdin): publish a track and serve
// subscribers until interrupted, or until the file or standard input has been sent.

import { stat } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { TrackMux, toPath, redactUrl } from "../../moq/node.ts";
import type { CloseInfo } from "../../moq/node.ts";
import type { CommandRun } from "../command.ts";
import { closeSession, openSession } from "../connection.ts";
import { CliError, UsageError, explainClose } from "../errors.ts";
import { formatBytes, formatDuration, plural } from "../format.ts";
import {
  MAX_FRAME_BYTES,
  commonOptions,
  expectPositionals,
  intInRange,
  parseCommand,
  positiveInt,
  positiveNumber,
  relayUrlArg,
} from "../options.ts";
import { Output } from "../output.ts";
import { ClockSource } from "../pub/clock.ts";
import { DeliveryTracker } from "../../studio/observe/delivery.ts";
import { FileSource } from "../pub/file.ts";
import type { PubOutcome, PubSettings, PubSource } from "../pub/source.ts";
import { StdinSource } from "../pub/stdin.ts";
import { commandHelp } from "../usage.ts";

/** --max-age's ceiling: a day, far past any cache, and safely a varint. */
const MAX_AGE_LIMIT_MS = 86_400_000;

/** Default frame size with --datagrams: room for the datagram header within 1200 bytes. */
const DATAGRAM_FRAME_BYTES = 1024;

const OPTIONS = {
  track: { type: "string" },
  clock: { type: "boolean" },
  file: { type: "string" },
  stdin: { type: "boolean" },
  "frame-bytes": { type: "string" },
  "group-frames": { type: "string" },
  fps: { type: "string" },
  datagrams: { type: "boolean" },
  "max-age": { type: "string" },
  "publisher-priority": { type: "string" },
} as const;

export const runPub: CommandRun = async (argv, ctx) => {
  const { values, positionals } = parseCommand("pub", argv, OPTIONS);
  if (values.help) {
    process.stdout.write(commandHelp("pub"));
    return 0;
  }
  const [url, broadcastArg] = expectPositionals("pub", positionals, ["URL", "BROADCAST"]) as [string, string];
  relayUrlArg("pub", url);
  const chosen = [values.clock && "--clock", values.file !== undefined && "--file", values.stdin && "--stdin"].filter(
    Boolean,
  );
  if (chosen.length !== 1) {
    throw new UsageError(
      chosen.length === 0
        ? "choose what to publish: --clock, --file PATH or --stdin"
        : `choose one source, not ${chosen.join(" and ")}`,
      "pub",
    );
  }
  const broadcast = toPath(broadcastArg);
  if (broadcast === "") throw new UsageError("BROADCAST must be a non-empty path", "pub");
  const clock = values.clock === true;
  const datagrams = values.datagrams === true;
  if (datagrams && values.file !== undefined)
    throw new UsageError(
      "--datagrams and --file do not go together: a file needs every byte, and datagrams may be lost",
      "pub",
    );
  if (datagrams && values["group-frames"] !== undefined)
    throw new UsageError("--datagrams sends every frame as a group of its own; leave out --group-frames", "pub");
  const settings: PubSettings = {
    broadcast,
    track: values.track ?? (clock ? "clock" : "data"),
    // A datagram holds at most 1200 bytes with its header: smaller frames by default.
    frameBytes: positiveInt(
      "pub",
      "--frame-bytes",
      values["frame-bytes"],
      datagrams ? DATAGRAM_FRAME_BYTES : 16384,
      MAX_FRAME_BYTES,
    ),
    groupFrames: datagrams ? 1 : positiveInt("pub", "--group-frames", values["group-frames"], clock ? 60 : 30),
    datagrams,
    fps: positiveNumber("pub", "--fps", values.fps),
    trackInfo: {
      ...(values["max-age"] !== undefined
        ? { maxAgeMs: intInRange("pub", "--max-age", values["max-age"], 0, 0, MAX_AGE_LIMIT_MS) }
        : {}),
      ...(values["publisher-priority"] !== undefined
        ? { publisherPriority: intInRange("pub", "--publisher-priority", values["publisher-priority"], 0, 0, 255) }
        : {}),
    },
  };
  if (settings.track === "") throw new UsageError("--track must not be empty", "pub");
  const common = commonOptions("pub", values);
  const out = (ctx.out = new Output(common));

  let source: PubSource;
  if (values.file !== undefined) {
    const path = values.file;
    const size = await fileSize(path);
    source = new FileSource(settings, path, size);
  } else if (values.stdin) {
    source = new StdinSource(settings);
  } else {
    source = new ClockSource(settings);
  }

  // Published before connecting: a relay asks for our announcements as soon as the session is up.
  const mux = new TrackMux();
  source.register(mux);
  const session = await openSession(url, common, out, ctx.signal, { mux });
  const started = performance.now();
  if (!session) return 0;
  const tracker = new DeliveryTracker(session, broadcast);
  tracker.onSubscribe((s) => {
    if (s.track !== settings.track) {
      out.info(
        { event: "subscribed", subscriber: s.number, broadcast, track: s.track, known: false },
        `subscriber ${s.number} asked for track "${s.track}", which is not published here (only "${settings.track}")`,
      );
      return;
    }
    out.info(
      { event: "subscribed", subscriber: s.number, broadcast, track: s.track, known: true },
      `subscriber ${s.number} joined`,
    );
  });
  tracker.onEnd((s) => {
    if (s.track !== settings.track) return;
    out.info(
      {
        event: "unsubscribed",
        subscriber: s.number,
        broadcast,
        track: s.track,
        how: s.end,
        code: s.code ?? null,
        framesSent: s.framesSent,
      },
      `subscriber ${s.number} ${s.end === "fin" ? "done" : "left"} after ${plural(s.framesSent, "frame")} (${formatBytes(s.bytesSent)})`,
    );
  });
  out.note(`publishing "${broadcast}" on ${redactUrl(url)}`);

  // The session closing stops the source the way Ctrl-C does, so it still reports what it published.
  const stop = new AbortController();
  const interrupted = () => stop.abort(ctx.signal.reason);
  ctx.signal.addEventListener("abort", interrupted, { once: true });
  if (ctx.signal.aborted) interrupted();
  let closed: CloseInfo | undefined;
  void session.closed.then((info) => {
    closed = info;
    stop.abort("session closed");
  });
  const ran = await source.run({ session, tracker, out, signal: stop.signal, url: redactUrl(url) });
  ctx.signal.removeEventListener("abort", interrupted);
  const outcome = afterClose(ran, closed);
  if (closed && outcome.kind === "done") out.note(`${explainClose(closed)} after the work was done`);
  const durationMs = performance.now() - started;
  const subscribers = tracker.count;
  tracker.dispose();
  out.endStatus();
  // Tell the peer our broadcast ended before the session goes, so viewers see "ended" rather
  // than a dropped connection.
  mux.close();
  await sleep(Math.min(500, 2 * (session.stats().rttMs ?? 50) + 20));
  await closeSession(session);

  const { tally } = outcome;
  out.record(
    {
      event: "summary",
      broadcast,
      track: settings.track,
      frames: tally.frames,
      bytes: tally.bytes,
      groups: tally.groups,
      subscribers,
      durationMs: Math.round(durationMs),
      reason: outcome.kind,
    },
    `published ${plural(tally.frames, "frame")} (${formatBytes(tally.bytes)}) in ${plural(tally.groups, "group")} over ${formatDuration(durationMs)}; ` +
      `${plural(subscribers, "subscriber")}`,
  );
  if (outcome.kind === "failed") throw new CliError(outcome.message);
  return 0;
};

/** What a run means when the session closed under it: fine once the work was done, else a failure. */
function afterClose(outcome: PubOutcome, closed: CloseInfo | undefined): PubOutcome {
  if (!closed || outcome.kind !== "interrupted") return outcome;
  return { kind: "failed", message: explainClose(closed), code: closed.code, tally: outcome.tally };
}

async function fileSize(path: string): Promise<number> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new CliError(`--file ${path} is not a regular file`);
    return info.size;
  } catch (err) {
    if (err instanceof CliError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : (err as Error).message;
    throw new CliError(`cannot read --file ${path}: ${why}`);
  }
}

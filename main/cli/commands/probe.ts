// moqscope probe URL: open a Probe stream and print the peer's reports (its estimated send rate
// towards us and, on moq-lite-04, its RTT) until the duration ends or Ctrl-C.

import type { CommandRun } from "../command.ts";
import { closeSession, openSession } from "../connection.ts";
import { CliError, explainClose } from "../errors.ts";
import { formatBitrate, formatDuration, formatRtt, formatRttWithLatest, plural } from "../format.ts";
import {
  commonOptions,
  expectPositionals,
  parseBitrate,
  parseCommand,
  positiveNumber,
  relayUrlArg,
} from "../options.ts";
import { Output } from "../output.ts";
import { describeProbeEnd, watchProbe } from "../../studio/observe/probe-watch.ts";
import { untilAborted, withDeadline } from "../signals.ts";
import { commandHelp } from "../usage.ts";

const OPTIONS = {
  bitrate: { type: "string" },
  duration: { type: "string" },
} as const;

export const runProbe: CommandRun = async (argv, ctx) => {
  const { values, positionals } = parseCommand("probe", argv, OPTIONS);
  if (values.help) {
    process.stdout.write(commandHelp("probe"));
    return 0;
  }
  const [url] = expectPositionals("probe", positionals, ["URL"]) as [string];
  relayUrlArg("probe", url);
  const target = parseBitrate("probe", "--bitrate", values.bitrate);
  const durationS = positiveNumber("probe", "--duration", values.duration);
  const common = commonOptions("probe", values);
  const out = (ctx.out = new Output(common));

  const session = await openSession(url, common, out, ctx.signal);
  const started = performance.now();
  if (!session) {
    out.record(
      { event: "summary", reports: 0, durationMs: 0, reason: "interrupted" },
      "interrupted before the session was established",
    );
    return 0;
  }
  // The duration counts from the established session, not from when we started dialling.
  const deadline = withDeadline(ctx.signal, durationS === undefined ? undefined : durationS * 1000);
  if (target !== undefined) out.note(`asking the server to reach ${formatBitrate(target)}`);

  const probe = watchProbe(
    session,
    target,
    (r) => {
      // rttMs is what the peer reports; ours is measured by this end's transport (ping/pong).
      const { rttMs, rttLatestMs } = session.stats();
      const peerRtt = r.rttMs > 0 ? r.rttMs : undefined;
      const ours = rttLatestMs !== undefined ? `, ours ${formatRttWithLatest(rttMs, rttLatestMs)}` : "";
      out.record(
        {
          event: "probe",
          bitrate: r.bitrate,
          rttMs: peerRtt ?? null,
          transportRttMs: rttLatestMs !== undefined ? (rttMs ?? null) : null,
          transportRttLatestMs: rttLatestMs ?? null,
          at: Math.round(r.at),
        },
        `${(r.bitrate / 1e6).toFixed(3).padStart(10)} Mbit/s  (${r.bitrate} bit/s)  rtt ${formatRtt(peerRtt)}${ours}`,
      );
    },
    // When the stream ended, the failure message below says it instead.
    (why, streamEnded) => {
      if (!streamEnded) out.notice(why);
    },
  );

  // Ends on: the deadline or Ctrl-C, the probe stream ending, or the session closing.
  const ended = await untilAborted(
    Promise.race([probe.ended.then((end) => ({ end })), session.closed]),
    deadline.signal,
  );
  // Read before we close the session ourselves: a session the server closed explains the probe too.
  const sessionEnd = session.connectionState().close;
  const durationMs = performance.now() - started;
  if (ended === "aborted") probe.noteSilenceIfQuiet(durationMs);
  probe.close();
  out.endStatus();
  await closeSession(session);
  deadline.dispose();

  const { tally } = probe;
  let failure: string | undefined;
  if (ended !== "aborted") {
    const v = ended.value;
    if (sessionEnd) failure = explainClose(sessionEnd);
    else if ("end" in v && (v.end.reset || tally.reports === 0))
      failure = describeProbeEnd(v.end, target !== undefined);
  }
  const range =
    tally.minBitrate === undefined
      ? ""
      : `: bitrate ${formatBitrate(tally.minBitrate)} to ${formatBitrate(tally.maxBitrate)}, last ${formatBitrate(tally.last?.bitrate)}`;
  const rtt = tally.last && tally.last.rttMs > 0 ? `, rtt ${formatRtt(tally.last.rttMs)}` : "";
  out.record(
    {
      event: "summary",
      reports: tally.reports,
      durationMs: Math.round(durationMs),
      minBitrate: tally.minBitrate ?? null,
      maxBitrate: tally.maxBitrate ?? null,
      lastBitrate: tally.last?.bitrate ?? null,
      lastRttMs: tally.last && tally.last.rttMs > 0 ? tally.last.rttMs : null,
      reason: failure ? "failed" : deadline.expired() ? "duration" : ended === "aborted" ? "interrupted" : "ended",
    },
    `${plural(tally.reports, "report")} over ${formatDuration(durationMs)}${range}${rtt}`,
  );
  if (failure) throw new CliError(failure);
  return 0;
};

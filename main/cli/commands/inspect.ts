// moqscope inspect URL: announcements as they come and go, session statistics every second, the
// peer's probe reports, and with --trace every session event.

import { MoqError, toPath } from "../../moq/node.ts";
import type { AnnouncementReader, ProbeResult, SessionStats } from "../../moq/node.ts";
import type { CommandRun } from "../command.ts";
import { closeSession, openSession } from "../connection.ts";
import { explainClose, explainCode } from "../errors.ts";
import { formatBitrate, formatBytes, formatDuration, formatRttWithLatest, plural } from "../format.ts";
import { commonOptions, expectPositionals, parseCommand, positiveNumber, relayUrlArg } from "../options.ts";
import { Output } from "../output.ts";
import { watchProbe } from "../../studio/observe/probe-watch.ts";
import { untilAborted, withDeadline } from "../signals.ts";
import { attachTrace } from "../trace.ts";
import { commandHelp } from "../usage.ts";

const OPTIONS = {
  prefix: { type: "string" },
  duration: { type: "string" },
  trace: { type: "boolean" },
} as const;

const STATS_INTERVAL_MS = 1000;
const PROBE_LEVELS = [
  "none: no probe reports",
  "report: it reports its send rate",
  "increase: it can also pad to probe",
];
const ROLES = ["publish and subscribe", "publisher only", "subscriber only"];

export const runInspect: CommandRun = async (argv, ctx) => {
  const { values, positionals } = parseCommand("inspect", argv, OPTIONS);
  if (values.help) {
    process.stdout.write(commandHelp("inspect"));
    return 0;
  }
  const [url] = expectPositionals("inspect", positionals, ["URL"]) as [string];
  relayUrlArg("inspect", url);
  const durationS = positiveNumber("inspect", "--duration", values.duration);
  const prefix = toPath(values.prefix ?? "");
  const common = commonOptions("inspect", values);
  const out = (ctx.out = new Output(common));

  const session = await openSession(url, common, out, ctx.signal);
  const started = performance.now();
  if (!session) {
    out.record(
      { event: "summary", durationMs: 0, reason: "interrupted" },
      "interrupted before the session was established",
    );
    return 0;
  }
  // The duration counts from the established session, not from when we started dialling.
  const deadline = withDeadline(ctx.signal, durationS === undefined ? undefined : durationS * 1000);
  const stopTrace = values.trace ? attachTrace(session, out) : undefined;

  const announced = session.announced(prefix);
  const counts = { changes: 0, stopping: false };
  // moq-lite-03 carries only a hop count; the ids it decodes to are placeholders.
  void followAnnouncements(announced, out, counts, session.version !== "moq-lite-03");

  let lastProbe: ProbeResult | undefined;
  const probe = watchProbe(
    session,
    undefined,
    (r) => {
      lastProbe = r;
      out.record({ event: "probe", bitrate: r.bitrate, rttMs: r.rttMs > 0 ? r.rttMs : null, at: Math.round(r.at) });
    },
    (why) => out.notice(why),
  );

  // 05+: the peer's SETUP says what it can do; it arrives right after the session is established.
  let peerShown = false;
  const showPeer = () => {
    const setup = session.connectionState().peerSetup;
    if (peerShown || !setup) return;
    peerShown = true;
    out.record(
      { event: "peer-setup", probe: setup.probe, role: setup.role },
      `peer's SETUP: probe level ${setup.probe} (${PROBE_LEVELS[setup.probe]}), role ${ROLES[setup.role]}`,
    );
  };
  showPeer();
  const statsTimer = setInterval(() => {
    showPeer();
    printStats(out, session.stats(), lastProbe);
  }, STATS_INTERVAL_MS);

  const result = await untilAborted(session.closed, deadline.signal);
  clearInterval(statsTimer);
  const durationMs = performance.now() - started;
  const failed = result === "aborted" ? undefined : explainClose(result.value);
  if (!failed) {
    // A last measurement, so even a short run reports statistics once.
    if (out.json) printStats(out, session.stats(), lastProbe);
    probe.noteSilenceIfQuiet(durationMs);
  }
  const stats = session.stats();
  const active = announced.active.length;
  // Closing our announce stream reports every path as ended; those are not the peer's changes.
  counts.stopping = true;
  probe.close();
  announced.close();
  out.endStatus();
  await closeSession(session);
  stopTrace?.();
  deadline.dispose();

  out.record(
    {
      event: "summary",
      durationMs: Math.round(durationMs),
      announced: active,
      changes: counts.changes,
      probes: probe.tally.reports,
      bytesSent: stats.bytesSent,
      bytesReceived: stats.bytesReceived,
      reason: failed ? "failed" : deadline.expired() ? "duration" : "interrupted",
    },
    `inspected ${formatDuration(durationMs)}: ${plural(active, "broadcast")} announced (${plural(counts.changes, "change")}), ` +
      `${plural(probe.tally.reports, "probe report")}, sent ${formatBytes(stats.bytesSent)}, received ${formatBytes(stats.bytesReceived)}`,
  );
  if (failed) {
    out.error(failed);
    return 1;
  }
  return 0;
};

async function followAnnouncements(
  reader: AnnouncementReader,
  out: Output,
  counts: { changes: number; stopping: boolean },
  hopIds: boolean,
): Promise<void> {
  try {
    for (;;) {
      const change = await reader.next();
      if (!change || counts.stopping) break;
      counts.changes++;
      const n = change.hops.length;
      const cost = change.active && change.cost ? `, cost ${change.cost.warm}` : "";
      const hops =
        change.active && n > 0 ? `  (${plural(n, "hop")}${hopIds ? `: ${change.hops.join(" ")}` : ""}${cost})` : "";
      out.record(
        {
          event: "announce",
          path: change.path,
          active: change.active,
          hops: hopIds ? [...change.hops] : null,
          hopCount: n,
          ...(change.cost ? { cost: change.cost } : {}),
        },
        `${change.active ? "+" : "-"} ${change.path === "" ? '""' : change.path}${hops}`,
      );
    }
  } catch (err) {
    if (counts.stopping) return;
    out.warn(
      err instanceof MoqError
        ? `the server reset the announce stream with ${explainCode(err.code)}`
        : `the announce stream failed: ${String(err)}`,
    );
  }
}

function printStats(out: Output, s: SessionStats, probe: ProbeResult | undefined): void {
  const record = {
    event: "stats",
    rttMs: s.rttMs ?? null,
    rttLatestMs: s.rttLatestMs ?? null,
    bytesSent: s.bytesSent,
    bytesReceived: s.bytesReceived,
    estimatedBitrate: s.estimatedBitrate,
    sendBitrate: s.sendBitrate,
    recvBitrate: s.recvBitrate,
    peerBitrate: s.peerBitrate ?? null,
  };
  const peer = probe ? ` · peer sends ${formatBitrate(probe.bitrate)}` : "";
  const text =
    `rtt ${formatRttWithLatest(s.rttMs, s.rttLatestMs)} · sent ${formatBytes(s.bytesSent)} (${formatBitrate(s.sendBitrate)}) · ` +
    `received ${formatBytes(s.bytesReceived)} (${formatBitrate(s.recvBitrate)}) · estimate ${formatBitrate(s.estimatedBitrate)}${peer}`;
  if (out.json) out.record(record);
  else if (out.tty) out.status(text);
  else if (!out.quiet) out.record(record, `stats  ${text}`);
}

import type { MoqError } from "../../errors.ts";
import { decodeProbe, encodeProbe } from "../wire/probe.ts";
import { BidiStreamType } from "../wire/stream-type.ts";
import { versionAtLeast } from "../wire/version.ts";
import type { SessionCore } from "./context.ts";
import { streamEnded } from "./failure.ts";
import { now } from "./events.ts";
import { PROBE_TICK_MS, shouldReport } from "./probe-rule.ts";
import { AsyncQueue } from "./queue.ts";
import { openRequestStream, sessionWentAway } from "./stream-end.ts";
import type { RecvStream, SendStream } from "./streams.ts";

export interface ProbeResult {
  /** The peer's estimate of its send rate towards us, bits per second (0 = unknown). */
  bitrate: number;
  /** Smoothed RTT the peer measured, ms (0 = unknown; moq-lite-03 never carries it). */
  rttMs: number;
  /** When the report arrived (epoch ms). */
  at: number;
}

/** What a probe responder measures: our send rate and RTT towards the peer. */
export interface ProbeSampler {
  sendBitrate(): number;
  rttMs(): number | undefined;
}

/**
 * Answer a Probe stream the peer opened: every 100 ms sample our send rate (and RTT on 04) and
 * report it when the change rule says so. Targets the peer sends are recorded, not padded to.
 */
export async function serveProbe(
  core: SessionCore,
  send: SendStream,
  recv: RecvStream,
  sampler: ProbeSampler,
  targets: Map<number, number>,
): Promise<void> {
  const withRtt = versionAtLeast(core.version, "moq-lite-04");
  let lastBitrate: number | undefined;
  let lastRtt: number | undefined;
  let lastSent = 0;
  const timer = setInterval(() => {
    if (send.ended || core.isClosed) return;
    const bitrate = sampler.sendBitrate();
    const rtt = withRtt ? Math.max(1, Math.round(sampler.rttMs() ?? 0)) : 0;
    const rttKnown = withRtt && sampler.rttMs() !== undefined;
    const elapsed = performance.now() - lastSent;
    const due = shouldReport(lastBitrate, bitrate, elapsed) || (rttKnown && shouldReport(lastRtt, rtt, elapsed));
    if (!due) return;
    lastBitrate = bitrate;
    lastRtt = rttKnown ? rtt : lastRtt;
    lastSent = performance.now();
    const msg = { bitrate, rttMs: rttKnown ? rtt : 0 };
    void core.sendMessage(send, "PROBE", msg, encodeProbe(msg, core.version)).catch(() => {});
  }, PROBE_TICK_MS);
  timer.unref?.();
  try {
    for (;;) {
      const body = await recv.messageOrEnd(core.limits.maxMessageBytes, "PROBE");
      if (body === undefined) break;
      const target = decodeProbe(body, core.version, core.limits);
      core.traced(recv, "PROBE", target);
      targets.set(recv.id, target.bitrate);
    }
    recv.noteEnd("fin");
    await send.close();
  } catch (err) {
    streamEnded(core, err, recv, send, "probe stream");
  } finally {
    clearInterval(timer);
    targets.delete(recv.id);
  }
}

/**
 * Probe reports from the peer, as an async iterable; `close()` ends the probe. `next()` throws
 * when the peer resets the probe stream (the error carries its code); it returns undefined when
 * the stream ended cleanly or the session closed (then `closed` says why).
 */
export class ProbeReader implements AsyncIterable<ProbeResult> {
  readonly #queue = new AsyncQueue<ProbeResult>();
  readonly #closed: Promise<MoqError | undefined>;
  #settle!: (why: MoqError | undefined) => void;
  #send?: SendStream;
  /** Number of reports received; 0 after the stream ended means the peer cannot measure. */
  received = 0;

  constructor() {
    this.#closed = new Promise((resolve) => (this.#settle = resolve));
  }

  next(): Promise<ProbeResult | undefined> {
    return this.#queue.next();
  }

  close(): void {
    void this.#send?.close();
    this.end();
  }

  /** Resolves when the probe is over: undefined after a clean end, else why it ended. */
  get closed(): Promise<MoqError | undefined> {
    return this.#closed;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<ProbeResult> {
    try {
      for (;;) {
        const r = await this.next();
        if (r === undefined) return;
        yield r;
      }
    } finally {
      this.close();
    }
  }

  /** @internal */
  attach(send: SendStream): void {
    this.#send = send;
  }
  /** @internal */
  push(r: ProbeResult): void {
    this.received++;
    this.#queue.push(r);
  }
  /** @internal The probe is over without a failure of its own (FIN, the session closed, no probe stream in this version). */
  end(why?: MoqError): void {
    if (this.#queue.isClosed) return;
    this.#queue.close();
    this.#settle(why);
  }
  /** @internal The probe stream failed (the peer reset it): the reader gets the error. */
  fail(error: MoqError): void {
    if (this.#queue.isClosed) return;
    this.#queue.close(error);
    this.#settle(error);
  }
}

/** Open a Probe stream, optionally ask for a target bitrate, and feed reports to `reader`. */
export async function runProbe(
  core: SessionCore,
  reader: ProbeReader,
  targetBitrate: number | undefined,
  onReport: (r: ProbeResult) => void,
): Promise<void> {
  const opened = await openRequestStream(core, "probe", BidiStreamType.Probe, reader);
  if (!opened) return;
  const { send, recv } = opened;
  reader.attach(send);
  try {
    // Deployed peers never receive a target (moq-relay resets a probe stream that carries any
    // byte from its opener); send one only when the caller asked for it.
    if (targetBitrate && targetBitrate > 0) {
      const msg = { bitrate: targetBitrate, rttMs: 0 };
      await core.sendMessage(send, "PROBE", msg, encodeProbe(msg, core.version));
    }
    for (;;) {
      const body = await recv.messageOrEnd(core.limits.maxMessageBytes, "PROBE");
      if (body === undefined) break;
      const p = decodeProbe(body, core.version, core.limits);
      core.traced(recv, "PROBE", p);
      const result = { bitrate: p.bitrate, rttMs: p.rttMs, at: now() };
      onReport(result);
      reader.push(result);
    }
    recv.noteEnd("fin");
    reader.end();
    await send.close();
  } catch (err) {
    const error = streamEnded(core, err, recv, send, "probe stream");
    if (await sessionWentAway(core, err)) reader.end(error);
    else reader.fail(error);
  }
}

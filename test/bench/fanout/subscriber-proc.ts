// Child process: `sessions` subscriber sessions (ours or @moq/lite over WebSocket/QMux), each
// subscribing to the fan-out track through the relay and reading every frame of every group.
// Per frame it records the delivery latency (arrival − send stamp); per group, how many frames
// came. Only groups inside the window the orchestrator names ("mark" .. "stop") are judged, so a
// group missing at the end counts as lost just like a gap in the middle.

import { installPolyfills } from "../../../main/moq/transport/polyfill.ts";
import { connect } from "../../../main/moq/connect.ts";
import { Moq, connectLite } from "../../interop/lite-peer.ts";
import { configFromArgv, fail, onMessage, quietDebugLogs, send } from "../ipc.ts";
import { latencyOf, wallClockMs } from "./frames.ts";
import { FAN_BROADCAST, FAN_TRACK, type FromSubscriber, type SubscriberConfig, type ToSubscriber } from "./protocol.ts";
import { UsageMeter } from "./usage.ts";

installPolyfills();

quietDebugLogs();
const config = configFromArgv<SubscriberConfig>();
const tell = (m: FromSubscriber) => send(m);

/** The slice of a group both implementations offer. */
interface AnyGroup {
  readonly sequence: number;
  readFrame(): Promise<Uint8Array | undefined>;
}

/**
 * What one session saw. Every group is recorded and the window applied at the end: a "mark" that
 * reaches this process after the window's first group started arriving must not make it look lost.
 */
class Viewer {
  /** Frames received per group sequence. */
  readonly framesOf = new Map<number, number>();
  /** Latency samples, with the group each came from so the window's end can be applied later. */
  readonly latencyGroup: number[] = [];
  readonly latencyMs: number[] = [];
  badFrames = 0;
  firstFrame!: Promise<void>;
  #gotFirst!: () => void;

  constructor() {
    this.firstFrame = new Promise((resolve) => (this.#gotFirst = resolve));
  }

  async readGroup(group: AnyGroup): Promise<void> {
    const seq = group.sequence;
    for (let i = 0; ; i++) {
      const frame = await group.readFrame();
      if (frame === undefined) return;
      this.#gotFirst();
      if (measuring) bytes += frame.length;
      const latency = latencyOf(frame, i, wallClockMs());
      if (latency === undefined) {
        this.badFrames++;
        continue;
      }
      this.framesOf.set(seq, (this.framesOf.get(seq) ?? 0) + 1);
      this.latencyGroup.push(seq);
      this.latencyMs.push(latency);
    }
  }

  async run(next: () => Promise<AnyGroup | undefined>): Promise<void> {
    for (;;) {
      const group = await next();
      if (!group) return;
      // Groups are separate streams and may overlap: read each on its own.
      void this.readGroup(group).catch(() => {});
    }
  }
}

const window = { from: Number.POSITIVE_INFINITY, to: Number.POSITIVE_INFINITY };
let measuring = false;
let bytes = 0;
const closers: (() => void)[] = [];

async function startOurs(viewer: Viewer): Promise<void> {
  const session = await connect(config.url, {
    transport: "websocket",
    versions: ["moq-lite-04"],
    legacy: false,
    timeoutMs: 30_000,
  });
  closers.push(() => session.close());
  const sub = session.subscribe(FAN_BROADCAST, FAN_TRACK);
  void viewer.run(() => sub.nextGroup()).catch(fail);
}

async function startLite(viewer: Viewer): Promise<void> {
  const client = await connectLite(config.url, { version: "moq-lite-04" });
  closers.push(() => client.close());
  const track = client.connection.consume(Moq.Path.from(FAN_BROADCAST)).subscribe(FAN_TRACK, 0);
  void viewer.run(() => track.recvGroup()).catch(fail);
}

async function main(): Promise<void> {
  const viewers = Array.from({ length: config.sessions }, () => new Viewer());
  // Dial a few at a time: a hundred handshakes at once on two cores only adds timeouts.
  const start = config.kind === "ours" ? startOurs : startLite;
  for (let i = 0; i < viewers.length; i += 10) await Promise.all(viewers.slice(i, i + 10).map(start));
  await Promise.all(viewers.map((v) => v.firstFrame));

  let meter: UsageMeter | undefined;
  onMessage<ToSubscriber>(async (m) => {
    if (m.type === "mark") {
      window.from = m.fromGroup;
      meter = new UsageMeter();
      measuring = true;
    } else if (m.type === "stop") {
      if (!meter) throw new Error("stop before mark");
      measuring = false;
      const usage = meter.stop();
      const received = bytes;
      window.to = m.toGroup;
      // Frames of window groups still on their way when the publisher stopped may land meanwhile.
      await new Promise((r) => setTimeout(r, m.graceMs));
      let lostGroups = 0;
      let partialGroups = 0;
      let badFrames = 0;
      const latenciesMs: number[] = [];
      for (const v of viewers) {
        badFrames += v.badFrames;
        for (let g = window.from; g <= window.to; g++) {
          const got = v.framesOf.get(g) ?? 0;
          if (got < config.groupFrames) {
            lostGroups++;
            if (got > 0) partialGroups++;
          }
        }
        for (let k = 0; k < v.latencyMs.length; k++) {
          const g = v.latencyGroup[k]!;
          if (g >= window.from && g <= window.to) latenciesMs.push(v.latencyMs[k]!);
        }
      }
      tell({
        type: "report",
        report: { sessions: viewers.length, bytes: received, lostGroups, partialGroups, badFrames, latenciesMs, usage },
      });
    } else if (m.type === "exit") {
      // @moq/lite reports its own close as a fatal error; the measurement is over.
      console.error = () => {};
      for (const close of closers) close();
      setTimeout(() => process.exit(0), 200);
    }
  });
  tell({ type: "ready" });
}

main().catch(fail);

// Child process: the receiving side. It connects to the publisher child, reports "connected", and
// on "go" starts the measurement:
//   raw  — counts the bytes of the one incoming unidirectional stream;
//   ours — our Session subscribes to the track and reads every frame of every group;
//   lite — @moq/lite subscribes to the same track.
// Each finished group is acked (cumulative count) so the publisher may open the next one. The
// measurement ends when the last frame arrives; CPU is counted from "go" to that moment.

import { installPolyfills } from "../../main/moq/transport/polyfill.ts";
import { connect } from "../../main/moq/connect.ts";
import type { GroupReader } from "../../main/moq/model/types.ts";
import { connectTransport } from "../../main/moq/transport/connect.ts";
import type { Transport } from "../../main/moq/transport/types.ts";
import { configFromArgv, fail, onMessage, quietDebugLogs, send } from "./ipc.ts";
import { Moq, liteClient } from "./lite-peer.ts";
import { Net, netClient } from "./net-peer.ts";
import { cpuSince, frameLooksRight, markCpu, type CpuMark } from "./meter.ts";
import { startProfile, type RunningProfile } from "./profiler.ts";
import { BENCH_BROADCAST, BENCH_TRACK, type FromSubscriber, type RunConfig, type ToSubscriber } from "./protocol.ts";

installPolyfills();

quietDebugLogs();
const config = configFromArgv<RunConfig & { url: string }>();
const tell = (m: FromSubscriber) => send(m);
const totalBytes = config.totalFrames * config.frameBytes;

let started: CpuMark | undefined;
let profile: RunningProfile | undefined;
let profileWritten: Promise<void> = Promise.resolve();
let bytes = 0;
let frames = 0;
let groups = 0;
let finished = false;

function finishIfComplete(): void {
  if (finished || frames < config.totalFrames || !started) return;
  finished = true;
  tell({ type: "done", result: { bytes, frames, groups, cpu: cpuSince(started) } });
  if (profile) profileWritten = profile.stop();
}

function countFrame(frame: Uint8Array): void {
  if (!frameLooksRight(frame, config.frameBytes)) {
    throw new Error(`frame ${frames} is corrupt: ${frame.length} bytes, expected ${config.frameBytes}`);
  }
  bytes += frame.length;
  frames++;
}

// An IPC message costs the subscriber tens of microseconds, so with small groups acks go out in
// batches: often enough that the publisher never runs dry (a quarter of its window).
const ackEvery = Math.max(1, Math.floor(config.windowGroups / 4));
let acked = 0;

function groupDone(): void {
  groups++;
  if (groups - acked >= ackEvery) {
    acked = groups;
    tell({ type: "ack", groups });
  }
  finishIfComplete();
}

const dial = (): Promise<Transport> =>
  connectTransport(config.url, {
    transport: config.transport === "webtransport" ? "webtransport-h2" : config.transport,
    versions: [config.version],
    legacy: false,
    timeoutMs: 10_000,
  });

/** Raw: the publisher's one stream; "frames" are counted by bytes since chunking is the transport's. */
async function receiveRaw(transport: Transport, go: Promise<void>): Promise<void> {
  const streams = transport.session.incomingUnidirectionalStreams.getReader();
  const { value: readable } = await streams.read();
  if (!readable) throw new Error("no stream from the publisher");
  await go;
  const reader = readable.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    bytes += value.length;
    if (bytes >= totalBytes) break;
  }
  frames = Math.floor(bytes / config.frameBytes);
  finishIfComplete();
}

async function readOurGroup(group: GroupReader): Promise<void> {
  for (;;) {
    const frame = await group.readFrame();
    if (frame === undefined) break;
    countFrame(frame);
  }
  groupDone();
}

async function readLiteGroup(group: Moq.Group): Promise<void> {
  for (;;) {
    const frame = await group.readFrame();
    if (frame === undefined) break;
    countFrame(frame);
  }
  groupDone();
}

async function readNetGroup(group: Net.Group.Consumer): Promise<void> {
  for (;;) {
    const frame = await group.readFrame();
    if (frame === undefined) break;
    countFrame(frame.payload);
  }
  groupDone();
}

async function main(): Promise<void> {
  let startReceiving: () => Promise<void>;
  if (config.subscriber === "raw") {
    const transport = await dial();
    let go!: () => void;
    const going = new Promise<void>((resolve) => (go = resolve));
    void receiveRaw(transport, going).catch(fail);
    startReceiving = async () => go();
  } else if (config.subscriber === "ours") {
    const session = await connect(config.url, {
      transport: config.transport,
      versions: [config.version],
      legacy: false,
      timeoutMs: 10_000,
    });
    startReceiving = async () => {
      // The publisher keeps at most windowGroups groups open; a cache that size never skips one.
      const sub = session.subscribe(BENCH_BROADCAST, BENCH_TRACK, { maxCachedGroups: config.windowGroups + 2 });
      for (;;) {
        const group = await sub.nextGroup();
        if (!group) return;
        void readOurGroup(group).catch(fail);
      }
    };
  } else if (config.subscriber === "net") {
    const connection = await netClient(config.url, await dial());
    startReceiving = async () => {
      const track = connection.consume(Net.Path.from(BENCH_BROADCAST)).subscribe(BENCH_TRACK, { priority: 128 });
      for (;;) {
        const group = await track.recvGroup();
        if (!group) return;
        void readNetGroup(group).catch(fail);
      }
    };
  } else {
    const connection = await liteClient(config.url, await dial());
    startReceiving = async () => {
      const track = connection.consume(Moq.Path.from(BENCH_BROADCAST)).subscribe(BENCH_TRACK, 128);
      for (;;) {
        const group = await track.recvGroup();
        if (!group) return;
        void readLiteGroup(group).catch(fail);
      }
    };
  }

  onMessage<ToSubscriber>(async (m) => {
    if (m.type === "go") {
      if (config.profileFile) profile = await startProfile(config.profileFile);
      started = markCpu();
      if (process.env.BENCH_DEBUG) {
        setInterval(
          () => console.error(`subscriber: ${frames} frames, ${groups} groups, ${bytes} bytes`),
          1000,
        ).unref();
      }
      void startReceiving().catch(fail);
    } else if (m.type === "exit") {
      await profileWritten;
      process.exit(0);
    }
  });
  tell({ type: "connected" });
}

main().catch(fail);

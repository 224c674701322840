// Child process: the sending side. It listens on 127.0.0.1 with our listener (both transports on
// one port) and, once told "go", pushes `totalFrames` frames towards the one client that connected:
//   raw  — one unidirectional stream, one write per frame, no moq-lite at all;
//   ours — our Session serving a TrackMux subscription, groups of `groupFrames` frames;
//   lite — @moq/lite serving the same track layout;
//   net  — @moq/net serving it.
// Groups are held back by the subscriber's acks (see ack-window.ts). CPU is measured from "go" to "stop".

import { installPolyfills } from "../../main/moq/transport/polyfill.ts";
import { TrackMux } from "../../main/moq/mux.ts";
import type { TrackWriter } from "../../main/moq/model/types.ts";
import { Session } from "../../main/moq/lite/session/session.ts";
import { listen } from "../../main/moq/transport/listener.ts";
import type { Transport } from "../../main/moq/transport/types.ts";
import { configFromArgv, fail, onMessage, quietDebugLogs, send } from "./ipc.ts";
import { Moq, liteServer } from "./lite-peer.ts";
import { Net, ZERO_TIME, netServer } from "./net-peer.ts";
import { cpuSince, makeFrame, markCpu, type CpuMark } from "./meter.ts";
import { AckWindow, yieldToLoop } from "./ack-window.ts";
import { startProfile, type RunningProfile } from "./profiler.ts";
import { BENCH_BROADCAST, BENCH_TRACK, type FromPublisher, type RunConfig, type ToPublisher } from "./protocol.ts";

installPolyfills();

quietDebugLogs();
const config = configFromArgv<RunConfig>();
const frame = makeFrame(config.frameBytes);
const ackWindow = new AckWindow(config.windowGroups);
const tell = (m: FromPublisher) => send(m);

let started: CpuMark | undefined;
let profile: RunningProfile | undefined;
let profileWritten: Promise<void> = Promise.resolve();
let go!: () => void;
const going = new Promise<void>((resolve) => (go = resolve));
let firstTransport!: (t: Transport) => void;
const transportReady = new Promise<Transport>((resolve) => (firstTransport = resolve));

/** Number of frames in group `g` (the last group may be short). */
function framesInGroup(g: number): number {
  return Math.min(config.groupFrames, config.totalFrames - g * config.groupFrames);
}
const totalGroups = Math.ceil(config.totalFrames / config.groupFrames);

async function sendRaw(transport: Transport): Promise<void> {
  await transport.session.ready;
  await going;
  const writer = (await transport.session.createUnidirectionalStream()).getWriter();
  for (let i = 0; i < config.totalFrames; i++) {
    await writer.ready;
    // Not awaited: like the session's enqueue, the writer's backpressure paces us via `ready`.
    writer.write(frame).catch(() => {});
  }
  await writer.close();
}

/** Our publisher: a TrackMux handler filling the subscription's track group by group. */
async function serveOurs(writer: TrackWriter): Promise<void> {
  let ended = false;
  void writer.closed.then(() => (ended = true));
  for (let g = 0; g < totalGroups; g++) {
    if (!(await ackWindow.slot()) || ended) return;
    const group = writer.openGroup(g);
    for (let i = framesInGroup(g); i > 0; i--) group.writeFrame(frame);
    group.close();
    // The session's sender picks each group up from a small cache; let it run between groups.
    await yieldToLoop();
  }
  writer.close();
}

/** The reference publisher: @moq/lite's Broadcast answering the same subscription. */
async function serveLite(url: string, transport: Transport): Promise<void> {
  // @moq/lite reads the negotiated protocol at once; it is only known when the session is ready.
  await transport.session.ready;
  const connection = await liteServer(url, transport);
  const broadcast = new Moq.Broadcast();
  connection.publish(Moq.Path.from(BENCH_BROADCAST), broadcast);
  for (;;) {
    const request = await broadcast.requested();
    if (!request) return;
    if (request.track.name !== BENCH_TRACK) {
      request.track.close(new Error("not found"));
      continue;
    }
    void produceLite(request.track);
  }
}

async function produceLite(track: Moq.Track): Promise<void> {
  for (let g = 0; g < totalGroups; g++) {
    if (!(await ackWindow.slot())) return;
    const group = track.appendGroup();
    for (let i = framesInGroup(g); i > 0; i--) group.writeFrame(frame);
    group.close();
    await yieldToLoop();
  }
  track.close();
}

/** The newer reference publisher: @moq/net's broadcast answering the same subscription. */
async function serveNet(url: string, transport: Transport): Promise<void> {
  await transport.session.ready;
  const connection = await netServer(url, transport);
  const broadcast = new Net.Broadcast.Producer();
  connection.publish(Net.Path.from(BENCH_BROADCAST), broadcast);
  for (;;) {
    const request = await broadcast.requested();
    if (!request) return;
    if (request.name !== BENCH_TRACK) {
      request.reject(new Error("not found"));
      continue;
    }
    void produceNet(request.accept());
  }
}

async function produceNet(track: Net.Track.Producer): Promise<void> {
  // On 05 the subscriber asks for the track's properties (TRACK) before it subscribes, and
  // @moq/net hands out a track for that question too, closed once answered: only a track with a
  // subscriber gets the benchmark's groups.
  const closed = Promise.resolve(track.closed).then(() => false);
  while (!track.used.peek()) if (!(await Promise.race([track.used.changed().then(() => true), closed]))) return;
  for (let g = 0; g < totalGroups; g++) {
    if (!(await ackWindow.slot())) return;
    const group = track.appendGroup();
    for (let i = framesInGroup(g); i > 0; i--) group.writeFrame({ payload: frame, timestamp: ZERO_TIME });
    group.close();
    await yieldToLoop();
  }
  // @moq/net's publisher ends the subscription as soon as the track closes, and its subscriber
  // then drops the groups still arriving (ours finishes them): close once the last one was read.
  if (!(await ackWindow.drained())) return;
  track.close();
}

async function main(): Promise<void> {
  const mux = new TrackMux();
  if (config.publisher === "ours") mux.publish(BENCH_BROADCAST, (writer) => serveOurs(writer));
  let url = "";
  const listener = await listen({
    versions: [config.version],
    legacy: false,
    http3: config.transport === "webtransport-h3",
    onSession: (transport) => {
      firstTransport(transport);
      if (config.publisher === "raw") void sendRaw(transport).catch(fail);
      else if (config.publisher === "ours") void Session.establish(transport, "server", { mux }).catch(fail);
      else if (config.publisher === "net") void serveNet(url, transport).catch(fail);
      else void serveLite(url, transport).catch(fail);
    },
  });
  url = config.transport === "websocket" ? `ws://127.0.0.1:${listener.port}/` : `http://127.0.0.1:${listener.port}/`;

  onMessage<ToPublisher>(async (m) => {
    switch (m.type) {
      case "go":
        await transportReady;
        if (config.profileFile) profile = await startProfile(config.profileFile);
        started = markCpu();
        if (process.env.BENCH_DEBUG)
          setInterval(() => console.error(`publisher: ${ackWindow.describe()}`), 1000).unref();
        go();
        break;
      case "ack":
        ackWindow.ack(m.groups);
        break;
      case "stop":
        if (!started) throw new Error("stop before go");
        tell({ type: "stopped", cpu: cpuSince(started) });
        ackWindow.stop();
        if (profile) profileWritten = profile.stop();
        break;
      case "exit":
        await profileWritten;
        process.exit(0);
    }
  });
  tell({ type: "listening", url });
}

main().catch(fail);

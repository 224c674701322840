// Child process: one broadcast with `tracks` tracks, each getting a one-frame group
// `groupsPerSecond` times a second, all tracks on the same tick. Ticks follow an absolute
// schedule so the rate holds on average; a tick found late is written at once (and counted),
// never made up for with a burst.

import { BroadcastProducer, TrackMux, connect, installPolyfills } from "../../../main/moq/node.ts";
import { configFromArgv, fail, onMessage, quietDebugLogs, send } from "../ipc.ts";
import { trackName, type FromPublisher, type PublisherConfig, type ToPublisher } from "./protocol.ts";

installPolyfills();
quietDebugLogs();

const config = configFromArgv<PublisherConfig>();
const tell = (m: FromPublisher) => send(m);

async function main(): Promise<void> {
  const producer = new BroadcastProducer();
  const names = Array.from({ length: config.tracks }, (_, i) => trackName(i, config.tracks));
  // A couple of groups cached per track: the subscriber (the UI) wants the live edge only.
  const tracks = names.map((name) => producer.createTrack(name, { maxCachedGroups: 2 }));
  const mux = new TrackMux();
  mux.publishBroadcast(config.broadcast, producer);
  const session = await connect(config.url, {
    mux,
    transport: "websocket",
    versions: ["moq-lite-04"],
    legacy: false,
    timeoutMs: 10_000,
  });

  const interval = 1000 / config.groupsPerSecond;
  const start = performance.now();
  let tick = 0;
  let groups = 0;
  let lateTicks = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const step = (): void => {
    // Skip ticks more than one interval in the past rather than bursting to catch up.
    const due = Math.floor((performance.now() - start) / interval);
    if (due > tick + 1) {
      lateTicks += due - tick - 1;
      tick = due - 1;
    }
    const stamp = Date.now();
    for (const track of tracks) {
      const frame = new Uint8Array(config.frameBytes);
      new DataView(frame.buffer).setFloat64(0, stamp, false);
      frame.fill(0x6d, 8);
      const group = track.openGroup();
      group.writeFrame(frame);
      group.close();
      groups++;
    }
    tick++;
    timer = setTimeout(step, Math.max(0, start + tick * interval - performance.now()));
  };
  step();

  onMessage<ToPublisher>((m) => {
    if (m.type === "count") tell({ type: "count", groups, lateTicks });
    else if (m.type === "exit") {
      clearTimeout(timer);
      producer.close();
      session.close();
      setTimeout(() => process.exit(0), 200);
    }
  });
  tell({ type: "publishing", trackNames: names });
}

main().catch(fail);

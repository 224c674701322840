// Child process: one publisher session on the relay with one broadcast and one track at a fixed
// bit rate (fps × frameBytes), a group every `groupFrames` frames, every frame stamped with its
// send time. It publishes from the start; "mark" and "stop" name the groups that bound the window.

import { installPolyfills } from "../../../main/moq/transport/polyfill.ts";
import { connect } from "../../../main/moq/connect.ts";
import { BroadcastProducer } from "../../../main/moq/model/broadcast.ts";
import { pump } from "../../../main/cli/pub/pump.ts";
import { configFromArgv, fail, onMessage, quietDebugLogs, send } from "../ipc.ts";
import { makeStampedFrame } from "./frames.ts";
import { FAN_BROADCAST, FAN_TRACK, type FromPublisher, type PublisherConfig, type ToPublisher } from "./protocol.ts";
import { UsageMeter } from "./usage.ts";

installPolyfills();

quietDebugLogs();
const config = configFromArgv<PublisherConfig>();
const tell = (m: FromPublisher) => send(m);

/** Sequence of the group the last frame went into, and that frame's index in it. */
let group = -1;
let index = -1;

async function* frames(): AsyncGenerator<Uint8Array> {
  // pump opens a new group every groupFrames frames, so the count says each frame's index.
  for (let n = 0; ; n++) yield makeStampedFrame(config.frameBytes, n % config.groupFrames);
}

async function main(): Promise<void> {
  const session = await connect(config.url, {
    transport: "websocket",
    versions: ["moq-lite-04"],
    legacy: false,
    timeoutMs: 10_000,
  });
  const broadcast = new BroadcastProducer();
  const track = broadcast.createTrack(FAN_TRACK);
  session.mux.publishBroadcast(FAN_BROADCAST, broadcast);
  const stop = new AbortController();
  void pump(frames(), track, {
    groupFrames: config.groupFrames,
    fps: config.fps,
    signal: stop.signal,
    onFrame: (_frame, g, i) => {
      group = g;
      index = i;
    },
  }).catch(fail);

  let meter: UsageMeter | undefined;
  let fromGroup = 0;
  onMessage<ToPublisher>(async (m) => {
    if (m.type === "mark") {
      meter = new UsageMeter();
      fromGroup = group + 1;
      tell({ type: "marked", fromGroup });
    } else if (m.type === "stop") {
      if (!meter) throw new Error("stop before mark");
      // The group being written is finished only if its last frame is out already.
      const toGroup = index === config.groupFrames - 1 ? group : group - 1;
      tell({ type: "stopped", toGroup, groupsSent: toGroup - fromGroup + 1, usage: meter.stop() });
    } else if (m.type === "exit") {
      stop.abort();
      session.close();
      setTimeout(() => process.exit(0), 200);
    }
  });
  tell({ type: "publishing" });
}

main().catch(fail);

// Child process: the relay and nothing else, so its CPU and memory are the relay's own. Plain
// WebSocket/QMux on 127.0.0.1; CPU and RSS are measured between "mark" and "stop".

import { installPolyfills } from "../../../main/moq/transport/polyfill.ts";
import { Relay } from "../../../main/moq/relay/index.ts";
import { fail, onMessage, quietDebugLogs, send } from "../ipc.ts";
import type { FromRelay, ToRelay } from "./protocol.ts";
import { UsageMeter } from "./usage.ts";

installPolyfills();

quietDebugLogs();
const tell = (m: FromRelay) => send(m);

async function main(): Promise<void> {
  const relay = await Relay.start({ host: "127.0.0.1", port: 0, http3: false, onLog: () => {} });
  let meter: UsageMeter | undefined;
  onMessage<ToRelay>(async (m) => {
    if (m.type === "mark") meter = new UsageMeter();
    else if (m.type === "stop") {
      if (!meter) throw new Error("stop before mark");
      const stats = relay.stats();
      tell({
        type: "report",
        report: {
          usage: meter.stop(),
          sessions: stats.sessions,
          downstreamSubscriptions: stats.downstreamSubscriptions,
        },
      });
    } else if (m.type === "exit") {
      await Promise.race([relay.close(), new Promise((r) => setTimeout(r, 2000))]);
      process.exit(0);
    }
  });
  tell({ type: "listening", port: relay.port });
}

main().catch(fail);

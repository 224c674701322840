// Our moq-lite server in a process of its own, so a test can kill it with SIGKILL and watch a
// client lose the connection without any close. Prints {"port":N} once it listens.

import { installPolyfills } from "../../../main/moq/transport/polyfill.ts";
import { BroadcastProducer } from "../../../main/moq/model/broadcast.ts";
import { TrackMux } from "../../../main/moq/mux.ts";
import { Session } from "../../../main/moq/lite/session/session.ts";
import { listen } from "../../../main/moq/transport/listener.ts";

installPolyfills();

const mux = new TrackMux();
mux.publishBroadcast("demo", new BroadcastProducer());
const listener = await listen({
  host: "127.0.0.1",
  port: 0,
  versions: ["moq-lite-04", "moq-lite-03"],
  legacy: false,
  http3: false,
  onSession: (transport) => void Session.establish(transport, "server", { mux }).catch(() => {}),
});
process.stdout.write(`${JSON.stringify({ port: listener.port })}\n`);

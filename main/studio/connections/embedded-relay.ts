// The relay the app starts for a first look: our own Relay on loopback, with the demo broadcasts
// published on it through a client session, as `moqscope relay --demo` does.

import { Relay, TrackMux, connect } from "../../moq/node.ts";
import type { Session } from "../../moq/node.ts";
import { startDemo } from "../demo/index.ts";
import type { Demo } from "../demo/index.ts";

export interface EmbeddedRelay {
  readonly port: number;
  /** Where the app connects: ws:// on loopback, no certificate to trust. */
  readonly url: string;
  readonly broadcasts: string[];
  close(): Promise<void>;
}

export async function startEmbeddedRelay(port = 0): Promise<EmbeddedRelay> {
  let relay: Relay;
  try {
    relay = await Relay.start({ host: "127.0.0.1", port });
  } catch (err) {
    // The library's words already say what to do ("the port is already in use …").
    throw new Error(`the embedded demo relay could not start: ${(err as Error).message}`, { cause: err });
  }
  const mux = new TrackMux();
  let publisher: Session | undefined;
  let demo: Demo | undefined;
  try {
    publisher = await connect(`ws://127.0.0.1:${relay.port}/`, { mux, transport: "websocket", timeoutMs: 10_000 });
    demo = startDemo(mux);
  } catch (err) {
    publisher?.close();
    await relay.close();
    throw new Error(`the embedded demo relay could not start: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
  return {
    port: relay.port,
    url: `http://127.0.0.1:${relay.port}/`,
    broadcasts: demo.broadcasts,
    async close() {
      demo?.stop();
      mux.close();
      publisher?.close();
      await relay.close();
    },
  };
}

// Driving @moq/net 0.3.4 (the reference TypeScript implementation since @moq/lite) in the
// benchmark, over the same transport sessions our library uses, as lite-peer.ts does for @moq/lite:
// a comparison then measures the moq-lite layer and not two QMux or WebTransport stacks. @moq/net
// reads the negotiated protocol off the session to pick its version (03, 04 or 05).

import { installPolyfills } from "../../main/moq/transport/polyfill.ts";
import * as Net from "@moq/net";
import type { Transport } from "../../main/moq/transport/types.ts";

installPolyfills();

export { Net };

/** A @moq/net client connection over a transport we dialled. */
export async function netClient(url: string, transport: Transport): Promise<Net.Connection.Established> {
  return Net.Connection.connect(new URL(url), { transport: transport.session as never });
}

/** A @moq/net server connection over a transport our listener accepted. */
export async function netServer(url: string, transport: Transport): Promise<Net.Connection.Established> {
  return Net.Connection.accept(transport.session as never, new URL(url));
}

/** Every frame carries a timestamp on 05; the benchmark's are all zero, in milliseconds. */
export const ZERO_TIME = new Net.Time.Timestamp(0, Net.Time.Timescale(1000));

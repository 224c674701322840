// Driving @moq/lite 0.2.2 (the reference implementation) in Node 20, on top of the same transport
// sessions our library uses, so a comparison measures the moq-lite layer and not two different
// QMux or WebTransport stacks. Our transport objects are W3C-WebTransport-shaped and carry the
// negotiated `protocol`, which is what @moq/lite reads to pick moq-lite-04.
//
// Not installed: the "eager read" TransformStream around every incoming stream that tests use so
// @moq/lite notices a subscription FIN. The benchmark ends on a frame count, never on that FIN,
// and the extra pipe per stream would charge the reference CPU it does not normally spend.

import { installPolyfills } from "../../main/moq/transport/polyfill.ts";
import WebSocket from "ws";
import * as Moq from "@moq/lite";
import type { Transport } from "../../main/moq/transport/types.ts";

installPolyfills();

// Only used if @moq/lite ever dials on its own; Node 20 has no global WebSocket.
(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;

export { Moq };

/** A @moq/lite client connection over a transport we dialled. */
export async function liteClient(url: string, transport: Transport): Promise<Moq.Connection.Established> {
  return Moq.Connection.connect(new URL(url), { transport: transport.session as never });
}

/** A @moq/lite server connection over a transport our listener accepted. */
export async function liteServer(url: string, transport: Transport): Promise<Moq.Connection.Established> {
  return Moq.Connection.accept(transport.session as never, new URL(url));
}

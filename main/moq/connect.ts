import { connectTransport } from "./transport/connect.ts";
import type { ConnectTransportOptions } from "./transport/connect.ts";
import { Session } from "./lite/session/session.ts";
import { DEFAULT_OFFER } from "./lite/wire/version.ts";
import type { SessionOptions } from "./lite/session/session.ts";

export interface ConnectOptions extends SessionOptions, Partial<ConnectTransportOptions> {}

/** Dial a moq-lite server or relay and run a client session over whatever transport fits the URL. */
export async function connect(url: string | URL, options: ConnectOptions = {}): Promise<Session> {
  const transport = await connectTransport(url, {
    transport: options.transport ?? "auto",
    versions: options.versions ?? [...DEFAULT_OFFER],
    legacy: options.legacy ?? true,
    fingerprint: options.fingerprint,
    insecure: options.insecure,
    timeoutMs: options.timeoutMs,
  });
  return Session.establish(transport, "client", options);
}

// Broadcasts the relay command itself publishes (--demo) reach the relay like any publisher's:
// through a client session on loopback. That session is admitted by a secret that only this
// process knows, whatever authentication the relay enforces for everyone else.

import { randomBytes } from "node:crypto";
import { TrackMux, connect } from "../../moq/node.ts";
import type { Session } from "../../moq/node.ts";
import type { GrantInput } from "../../moq/node.ts";

export const LOCAL_SECRET_PARAM = "moqscope-local";

export class LocalPublisher {
  readonly mux = new TrackMux();
  readonly #secret = randomBytes(24).toString("base64url");
  #session?: Session;

  /** The grant for our own session, or undefined when `url` is someone else's. */
  admit(url: URL, publish: string[]): GrantInput | undefined {
    if (url.searchParams.get(LOCAL_SECRET_PARAM) !== this.#secret) return undefined;
    return { root: "", publish, subscribe: [] };
  }

  async start(port: number): Promise<void> {
    const url = `ws://127.0.0.1:${port}/?${LOCAL_SECRET_PARAM}=${this.#secret}`;
    this.#session = await connect(url, { mux: this.mux, transport: "websocket", timeoutMs: 10_000 });
  }

  close(): void {
    this.mux.close();
    this.#session?.close();
  }
}

// Server side of WebTransport over HTTP/3 through @moq/web-transport: UDP on the same port as the
// TCP listener, as moq-relay does. With our extended binary the server selects the moq-lite
// version the client offered (WT-Protocol); the prebuilt binary can only accept without a
// protocol, so its sessions negotiate 01/02 through SETUP, or are refused when that is not allowed.

import net from "node:net";
import { fingerprintOfPem } from "../certificate.ts";
import type { Transport } from "../types.ts";
import type { NativeBinding, NativeRequest } from "./binding.ts";
import { loadHttp3 } from "./load.ts";
import { http3Transport } from "./transport.ts";
import { messageOf } from "../../errors.ts";

export interface Http3ServerOptions {
  host: string;
  port: number;
  certPem: string;
  keyPem: string;
  /** The protocol to select from the offer (undefined: the client's offer is unknown); undefined refuses, "" selects none. */
  selectProtocol(offered: readonly string[] | undefined): string | undefined;
  onSession(transport: Transport, request: { url: URL; remote: string }): void;
  onError(err: Error): void;
}

export interface Http3Server {
  close(): Promise<void>;
}

/** How long close() waits for the pending accept to give way before leaving the socket to exit. */
const CLOSE_WAIT_MS = 2000;

/** Listen on UDP, or say why HTTP/3 is unavailable here. Throws when the bind fails. */
export function startHttp3(opts: Http3ServerOptions): Http3Server | { unavailable: string } {
  const h3 = loadHttp3();
  if (!h3.available) return { unavailable: h3.reason };
  const address = net.isIPv6(opts.host) ? `[${opts.host}]:${opts.port}` : `${opts.host || "0.0.0.0"}:${opts.port}`;
  const server = h3.binding.NapiServer.bind(address, Buffer.from(opts.certPem), Buffer.from(opts.keyPem));
  let closing = false;

  const acceptLoop = (async () => {
    for (;;) {
      let request: NativeRequest | null;
      try {
        request = await server.accept();
      } catch (err) {
        opts.onError(new Error(`HTTP/3 accept failed: ${messageOf(err)}`, { cause: err }));
        continue;
      }
      if (!request) return;
      if (closing) {
        // Accept and close at once rather than reject: the connection then closes from our side
        // and drains in a few round trips, where a refused client may hold it until its idle timeout.
        request.ok().then(
          (session) => session.close(0, "server closing"),
          () => {},
        );
        return;
      }
      void answer(request, opts).catch((err: unknown) =>
        opts.onError(new Error(`HTTP/3 session not established: ${messageOf(err)}`, { cause: err })),
      );
    }
  })();

  return {
    async close() {
      if (closing) return;
      closing = true;
      // The binding's close() takes a lock that a pending accept() holds, blocking the thread
      // until that accept returns. So first make it return: dial ourselves, and the loop, seeing
      // `closing`, closes that session at once and stops accepting. (The dial's failure is
      // handled here and now: one while we wait below would be an unhandled rejection.)
      void dialSelf(h3.binding, opts).catch(() => {});
      const stopped = await Promise.race([
        acceptLoop.then(() => true),
        new Promise<false>((r) => setTimeout(() => r(false), CLOSE_WAIT_MS).unref()),
      ]);
      if (!stopped) {
        opts.onError(new Error("HTTP/3 accept did not stop; its UDP port stays bound until the process exits"));
        return;
      }
      server.close();
      // quinn lets go of the UDP socket once its connections have drained and the binding's
      // JavaScript objects that hold them are collected, so the port may stay bound a while. (Moving
      // the endpoint to another socket first freed it only when that won a race with the drain, and
      // sent the connections' final packets from an address their peers ignore.)
    },
  };
}

async function answer(request: NativeRequest, opts: Http3ServerOptions): Promise<void> {
  const url = new URL(await request.url);
  // These are async getters: reading one starts a native call. Test for them with `in`, which does
  // not: a stray call left pending could run after the accept below consumed the request, and its
  // rejection ("request already consumed") would be unhandled and end the process.
  const offered = "moqscopeProtocols" in request ? await request.moqscopeProtocols : undefined;
  const remote = ("moqscopeRemote" in request ? await request.moqscopeRemote : undefined) ?? "";
  const protocol = opts.selectProtocol(offered);
  if (protocol === undefined) {
    await request.reject(400);
    return;
  }
  const native = request.moqscopeAccept ? await request.moqscopeAccept(protocol || null) : await request.ok();
  const transport = http3Transport(native, protocol, {
    kind: "webtransport-h3",
    url: url.href,
    negotiated: protocol,
  });
  opts.onSession(transport, { url, remote });
}

/** A throwaway WebTransport dial to our own port, pinned to our own certificate. */
async function dialSelf(binding: NativeBinding, opts: Http3ServerOptions): Promise<void> {
  const client = binding.NapiClient.withCertificateHashes([Buffer.from(fingerprintOfPem(opts.certPem), "hex")]);
  const host = !opts.host || opts.host === "0.0.0.0" ? "127.0.0.1" : opts.host === "::" ? "::1" : opts.host;
  const shown = net.isIPv6(host) ? `[${host}]` : host;
  const session = await client.connect(`https://${shown}:${opts.port}/`);
  session.close(0, "server closing");
}

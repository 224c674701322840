// The adapter's HTTP/2 server and client paired over real sockets on 127.0.0.1, for the tests of
// main/moq/transport/fails-adapter. Call runCleanup() after each test.

import { readFileSync } from "node:fs";
import http2 from "node:http2";
import type { AddressInfo, Socket } from "node:net";
import { join } from "node:path";
import tls from "node:tls";
import { generateCertificate, type Certificate } from "../../../main/moq/transport/certificate.ts";
import {
  CHECKED_VERSION,
  createH2Server,
  dialWebTransport,
  type AdaptedSession,
  type ServedRequest,
} from "../../../main/moq/transport/fails-adapter/index.ts";

const installed = JSON.parse(
  readFileSync(join(process.cwd(), "node_modules/@fails-components/webtransport/package.json"), "utf8"),
) as { version: string };

/** A failure message naming the workaround, the version it was checked against and the one installed. */
export const because = (what: string) =>
  `${what} [workaround checked against @fails-components/webtransport ${CHECKED_VERSION}, installed ${installed.version}, Node ${process.version}]`;

let cleanup: (() => unknown)[] = [];

/** Run `step` after the current test (last registered, first run). */
export function onCleanup(step: () => unknown): void {
  cleanup.push(step);
}

export async function runCleanup(): Promise<void> {
  const steps = cleanup.reverse();
  cleanup = [];
  for (const step of steps) await Promise.resolve(step()).catch(() => {});
}

export interface Served {
  adapted: AdaptedSession;
  request: ServedRequest;
}

export interface AdapterServer {
  port: number;
  cert: Certificate;
  /** Every protocol offer the request callback saw. */
  offers: (string[] | undefined)[];
  /** The node:http2 streams of the CONNECT requests, as node:http2 handed them to the package. */
  connectStreams: http2.ServerHttp2Stream[];
  /** The HTTP/2 connections, as node:http2 handed them to the package. */
  connections: http2.ServerHttp2Session[];
  /** Sessions the adapter could not hand over. */
  errors: unknown[];
  next(): Promise<Served>;
}

/** The adapter's HTTP/2 server behind a TLS server of ours, the way listener.ts runs it. */
export async function startAdapterServer(): Promise<AdapterServer> {
  const cert = generateCertificate({ dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"] });
  const offers: (string[] | undefined)[] = [];
  const arrived: Served[] = [];
  const waiting: ((s: Served) => void)[] = [];
  const errors: unknown[] = [];
  const server = await createH2Server({
    certPem: cert.certPem,
    keyPem: cert.keyPem,
    selectProtocol: (offered) => {
      offers.push(offered);
      return offered?.[0] ?? "";
    },
    onSession: (adapted, request) => {
      const served = { adapted, request };
      const w = waiting.shift();
      if (w) w(served);
      else arrived.push(served);
    },
    onError: (err) => errors.push(err),
  });
  const connectStreams: http2.ServerHttp2Stream[] = [];
  const connections: http2.ServerHttp2Session[] = [];
  server.http2.on("stream", (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => {
    if (headers[":method"] === "CONNECT") connectStreams.push(stream);
  });
  server.http2.on("session", (session: http2.ServerHttp2Session) => connections.push(session));
  const sockets = new Set<Socket>();
  const front = tls.createServer({ key: cert.keyPem, cert: cert.certPem, ALPNProtocols: ["h2"] }, (socket) => {
    server.http2.emit("secureConnection", socket);
  });
  front.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => front.listen(0, "127.0.0.1", resolve));
  onCleanup(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => front.close(() => resolve()));
    server.stop();
  });
  return {
    port: (front.address() as AddressInfo).port,
    cert,
    offers,
    connectStreams,
    connections,
    errors,
    next: () => {
      const ready = arrived.shift();
      return ready ? Promise.resolve(ready) : new Promise<Served>((resolve) => waiting.push(resolve));
    },
  };
}

/** Dial through the adapter and wait for both ends. */
export async function pair(server: AdapterServer): Promise<{ client: AdaptedSession; served: Served }> {
  const arriving = server.next();
  const dialed = await dialWebTransport({
    url: `https://127.0.0.1:${server.port}/adapter?x=1`,
    fingerprint: server.cert.fingerprintHex,
    protocols: ["moq-lite-04", "moq-lite-03"],
    timeoutMs: 5_000,
  });
  const client = await dialed.established;
  onCleanup(() => client.session.close());
  return { client, served: await arriving };
}

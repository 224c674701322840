// Lazy access to @fails-components/webtransport. Importing it starts a probe for the optional native
// HTTP/3 part and prints "http3 loader: …" lines when that part is missing (always, on these
// machines). We import it only when WebTransport is actually used, and hide exactly those lines.
//
// Only the slice of the package we use is typed here, by hand: its own typings drag in DOM types.

import type { Http2SecureServer } from "node:http2";
import type { BidiStream, CloseInfo } from "./types.ts";

/** The package's W3C-shaped session (client `WebTransport` and server sessions alike). */
export interface FailsSession {
  readonly ready: Promise<void>;
  readonly closed: Promise<CloseInfo>;
  readonly protocol?: string;
  readonly reliability?: string;
  readonly incomingBidirectionalStreams: ReadableStream<BidiStream>;
  readonly incomingUnidirectionalStreams: ReadableStream<ReadableStream<Uint8Array>>;
  createBidirectionalStream(options?: { sendOrder?: number }): Promise<BidiStream>;
  createUnidirectionalStream(options?: { sendOrder?: number }): Promise<WritableStream<Uint8Array>>;
  close(info?: CloseInfo): void;
}

/** Internals we reach for RTT: the HTTP/2 stream under a session, and its HTTP/2 session. */
export interface FailsSessionInternals {
  objint?: { stream?: { session?: Http2Ping } };
}
export interface Http2Ping {
  closed?: boolean;
  destroyed?: boolean;
  ping(callback: (err: Error | null, durationMs: number) => void): boolean;
}

export interface FailsServerSession extends FailsSession, FailsSessionInternals {
  readonly header?: Record<string, string | string[] | undefined>;
  readonly userData?: Record<string, unknown>;
  readonly peerAddress?: string;
}

export interface FailsClientOptions {
  forceReliable?: boolean;
  serverCertificateHashes?: { algorithm: "sha-256"; value: Uint8Array }[];
  protocols?: string[];
  quicConnectTimeout?: number;
  webTransportConnectTimeout?: number;
  initialSessionFlowControlWindow?: number;
  sessionFlowControlWindowSizeLimit?: number;
  initialStreamFlowControlWindow?: number;
  streamFlowControlWindowSizeLimit?: number;
}

/** The client's inner session; `setSessionObj` receives the HTTP/2 session object once dialled. */
export interface FailsClientSessionInternals extends FailsSessionInternals {
  setSessionObj?(object: { stream?: { once?(event: "response", cb: (headers: Record<string, unknown>) => void): unknown } }, reliable: boolean): void;
}

export interface FailsClient extends FailsSession {
  readonly sessionint?: FailsClientSessionInternals;
  getStats?(): Promise<{ smoothedRtt?: number; estimatedSendRate?: number | bigint | null }>;
}

export interface FailsRequestResult {
  status: number;
  path: string;
  selectedProtocol?: string;
  userData?: Record<string, unknown>;
}

export interface FailsHttpServer {
  ready: Promise<void>;
  closed: Promise<void>;
  transportInt?: { serverInt?: Http2SecureServer };
  createTransportInt(): Promise<void>;
  startServer(): void;
  stopServer(): void;
  setRequestCallback(cb: (req: { header: Record<string, unknown> }) => Promise<FailsRequestResult>): void;
  sessionStream(path: string, args?: { noAutoPaths?: boolean }): ReadableStream<FailsServerSession>;
  address(): { port: number; host: string } | null;
}

export interface FailsServerOptions {
  port: number;
  host: string;
  secret: string;
  cert: string;
  privKey: string;
  initialSessionFlowControlWindow?: number;
  sessionFlowControlWindowSizeLimit?: number;
  initialStreamFlowControlWindow?: number;
  streamFlowControlWindowSizeLimit?: number;
}

export interface FailsModule {
  WebTransport: new (url: string, options?: FailsClientOptions) => FailsClient;
  Http2Server: new (options: FailsServerOptions) => FailsHttpServer;
  Http3Server: new (options: FailsServerOptions) => FailsHttpServer;
  quicheLoaded: Promise<unknown>;
}

export interface LoadedWebTransport {
  mod: FailsModule;
  /** True when the native HTTP/3 part loaded (never on these build machines). */
  http3: boolean;
}

let loading: Promise<LoadedWebTransport> | undefined;

/** Import the package once; later calls share the result. */
export function loadWebTransport(): Promise<LoadedWebTransport> {
  loading ??= load();
  return loading;
}

const NOISE = [/^http3 loader:/, /^Problem loading http3-quiche transport/, /^Did you install @fails-components/];

async function load(): Promise<LoadedWebTransport> {
  const restore = muteConsole(NOISE);
  try {
    const mod = (await import("@fails-components/webtransport")) as unknown as FailsModule;
    await mod.quicheLoaded;
    const http3 = await import("@fails-components/webtransport-transport-http3-quiche" as string).then(
      () => true,
      () => false,
    );
    // The server module runs its own probe; let its rejection handlers finish before unmuting.
    await new Promise((r) => setTimeout(r, 0));
    await new Promise((r) => setTimeout(r, 0));
    return { mod, http3 };
  } finally {
    restore();
  }
}

/** Drop console.log/console.error calls whose first argument matches one of `patterns`. */
function muteConsole(patterns: RegExp[]): () => void {
  const { log, error } = console;
  const filter =
    (orig: (...args: unknown[]) => void) =>
    (...args: unknown[]) => {
      const first = args[0];
      if (typeof first === "string" && patterns.some((p) => p.test(first))) return;
      orig(...args);
    };
  console.log = filter(log);
  console.error = filter(error);
  return () => {
    console.log = log;
    console.error = error;
  };
}

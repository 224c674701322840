// The client side: construct the package's WebTransport, and reach what it keeps to itself.
//
// Workarounds (each checked against 1.6.8):
// - HTTP/2 connection: the package notices a connection that ends without an error (a server shutting
//   down in the middle of our handshake) only when its own handshake timer fires, seconds later. Its
//   WebTransport constructor calls `this.startUpConnection({ client })`, where `client` is its
//   HttpClient and `client.transportInt.clientInt` the node:http2 ClientHttp2Session it just dialled.
//   A subclass overriding that hook keeps the connection, so the handshake fails the moment it closes.
// - Response status: the package reports every refusal as "Opening handshake failed." and drops the
//   HTTP status. Its inner session's `setSessionObj(object)` receives the CONNECT request's stream as
//   `object.stream`; wrapping that method lets us listen for the "response" headers ourselves.
// - `forceReliable` always: without it the package tries its own HTTP/3 and throws when that part is
//   missing. Our HTTP/3 goes through @moq/web-transport (../h3/).

import type { AdaptedSession } from "./session.ts";
import { adaptSession } from "./session.ts";
import { FLOW_WINDOW } from "./flow-window.ts";
import { loadFailsPackage } from "./load.ts";
import type { FailsClient, FailsClientOptions, FailsModule } from "./package-types.ts";

export interface DialOptions {
  /** https:// URL; path and query are sent as they are. */
  url: string;
  /** Pin the server certificate by its SHA-256 (hex); without it the system trust store decides. */
  fingerprint?: string;
  /** WebTransport application protocols to offer, in order of preference. */
  protocols: string[];
  /** The package's own connect and handshake deadlines. */
  timeoutMs: number;
}

export interface DialedWebTransport {
  /**
   * The established session. Rejects with the package's error, or with ours as soon as the HTTP/2
   * connection closes before the session is up.
   */
  readonly established: Promise<AdaptedSession>;
  /** Whether a lost HTTP/2 connection fails the handshake at once (the package let us reach it). */
  readonly watchesConnection: boolean;
  /** The HTTP status the server answered the CONNECT with, once it did. */
  responseStatus(): number | undefined;
  /** Give up on the handshake: close what exists and drop the connection, so nothing keeps the process alive. */
  abandon(): void;
}

/** The error `established` rejects with when the server closes the connection mid-handshake. */
export const LOST_DURING_HANDSHAKE = "the server closed the connection during the WebTransport handshake";

export async function dialWebTransport(opts: DialOptions): Promise<DialedWebTransport> {
  const { mod } = await loadFailsPackage();
  const { wt, connection } = construct(mod, opts.url, {
    // HTTP/3 goes through @moq/web-transport (../h3/); this package serves HTTP/2 only.
    forceReliable: true,
    ...(opts.fingerprint
      ? { serverCertificateHashes: [{ algorithm: "sha-256", value: Buffer.from(opts.fingerprint, "hex") }] }
      : {}),
    protocols: opts.protocols,
    quicConnectTimeout: opts.timeoutMs,
    webTransportConnectTimeout: opts.timeoutMs,
    initialSessionFlowControlWindow: FLOW_WINDOW,
    sessionFlowControlWindowSizeLimit: FLOW_WINDOW,
  });
  wt.closed.catch(() => {});
  const responseStatus = watchResponseStatus(wt);
  const established = readyOrLost(wt, connection).then(() => adaptSession(wt, wt.sessionint, "webtransport-h2"));
  return {
    established,
    watchesConnection: connection !== undefined,
    responseStatus,
    abandon: () => abandon(wt, connection),
  };
}

/** The HTTP/2 client session the package dials (node:http2 ClientHttp2Session), as far as we use it. */
interface DialedConnection {
  readonly closed: boolean;
  readonly destroyed: boolean;
  once(event: "close", listener: () => void): unknown;
  removeListener(event: "close", listener: () => void): unknown;
  destroy(): void;
}

// What the package hands its startUpConnection hook: its HttpClient, whose transport holds the dial.
interface StartUpArgs {
  client?: { transportInt?: { clientInt?: unknown } };
}

type ClientClass = new (url: string, options?: FailsClientOptions) => FailsClient;

const dialed = new WeakMap<object, StartUpArgs["client"]>();
const classes = new WeakMap<FailsModule, ClientClass>();

function watchingClass(mod: FailsModule): ClientClass {
  let cls = classes.get(mod);
  if (!cls) {
    const Base = mod.WebTransport as unknown as new (
      url: string,
      options?: FailsClientOptions,
    ) => FailsClient & { startUpConnection(args: StartUpArgs): void };
    cls = class extends Base {
      // Runs inside the package's constructor, before our subclass's fields exist: keep it outside.
      override startUpConnection(args: StartUpArgs): void {
        dialed.set(this, args.client);
        super.startUpConnection(args);
      }
    };
    classes.set(mod, cls);
  }
  return cls;
}

function construct(
  mod: FailsModule,
  url: string,
  options: FailsClientOptions,
): { wt: FailsClient; connection: DialedConnection | undefined } {
  const Base = mod.WebTransport as unknown as { prototype: { startUpConnection?: unknown } };
  if (typeof Base.prototype.startUpConnection !== "function") {
    return { wt: new mod.WebTransport(url, options), connection: undefined };
  }
  const wt = new (watchingClass(mod))(url, options);
  const candidate = dialed.get(wt)?.transportInt?.clientInt;
  return { wt, connection: isConnection(candidate) ? candidate : undefined };
}

function isConnection(x: unknown): x is DialedConnection {
  if (typeof x !== "object" || x === null) return false;
  const c = x as Partial<Record<keyof DialedConnection, unknown>>;
  return (
    typeof c.once === "function" &&
    typeof c.removeListener === "function" &&
    typeof c.destroy === "function" &&
    typeof c.closed === "boolean"
  );
}

/** `ready`, except that it rejects as soon as the HTTP/2 connection closes before the session is up. */
function readyOrLost(wt: FailsClient, connection: DialedConnection | undefined): Promise<void> {
  if (!connection) return wt.ready;
  return new Promise<void>((resolve, reject) => {
    const lost = () => reject(new Error(LOST_DURING_HANDSHAKE));
    if (connection.closed || connection.destroyed) {
      lost();
      return;
    }
    connection.once("close", lost);
    wt.ready.then(
      () => {
        connection.removeListener("close", lost);
        resolve();
      },
      (err: unknown) => {
        connection.removeListener("close", lost);
        reject(err);
      },
    );
  });
}

function watchResponseStatus(wt: FailsClient): () => number | undefined {
  let status: number | undefined;
  const inner = wt.sessionint;
  const original = inner?.setSessionObj;
  if (inner && typeof original === "function") {
    inner.setSessionObj = (object, reliable) => {
      const stream = object?.stream as
        { once?(event: "response", cb: (headers: Record<string, unknown>) => void): unknown } | undefined;
      stream?.once?.("response", (headers) => {
        status = Number(headers[":status"]) || undefined;
      });
      original.call(inner, object, reliable);
    };
  }
  return () => status;
}

function abandon(wt: FailsClient, connection: DialedConnection | undefined): void {
  try {
    wt.close({ closeCode: 0, reason: "handshake abandoned" });
  } catch {
    // not connected far enough to close
  }
  // Without our hook, the connection is still reachable through the session once it got that far.
  const stream = wt.sessionint?.objint?.stream as { session?: { destroy?: () => void } } | undefined;
  const h2 = connection ?? stream?.session;
  h2?.destroy?.();
}

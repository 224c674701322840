// The package's client class with one addition: it keeps the HTTP/2 connection it dials within
// reach. The package notices a connection that ends without an error (a server shutting down in
// the middle of our handshake) only when its own handshake timer fires, seconds later; with the
// connection in hand, the handshake can fail the moment it closes.

import type { FailsClient, FailsClientOptions, FailsModule } from "./webtransport-loader.ts";

/** The HTTP/2 client session the package dials (node:http2 ClientHttp2Session), as far as we use it. */
export interface DialedConnection {
  readonly closed: boolean;
  readonly destroyed: boolean;
  once(event: "close", listener: () => void): unknown;
  removeListener(event: "close", listener: () => void): unknown;
}

type ClientClass = new (url: string, options?: FailsClientOptions) => FailsClient;

// What the package hands its startUpConnection hook: its HttpClient, whose transport holds the dial.
interface StartUpArgs {
  client?: { transportInt?: { clientInt?: unknown } };
}

const dialers = new WeakMap<object, StartUpArgs["client"]>();
const classes = new WeakMap<FailsModule, ClientClass>();

function watchingClass(mod: FailsModule): ClientClass {
  let cls = classes.get(mod);
  if (!cls) {
    const Base = mod.WebTransport as unknown as new (
      url: string,
      options?: FailsClientOptions,
    ) => FailsClient & { startUpConnection(args: StartUpArgs): void };
    cls = class extends Base {
      // Runs inside the package's constructor, so keep the result outside the instance's fields.
      override startUpConnection(args: StartUpArgs): void {
        dialers.set(this, args.client);
        super.startUpConnection(args);
      }
    };
    classes.set(mod, cls);
  }
  return cls;
}

/** Construct the package's WebTransport client, plus its HTTP/2 connection when it exposes one. */
export function dialWebTransport(
  mod: FailsModule,
  url: string,
  options: FailsClientOptions,
): { wt: FailsClient; connection: DialedConnection | undefined } {
  const Base = mod.WebTransport as unknown as { prototype: { startUpConnection?: unknown } };
  if (typeof Base.prototype.startUpConnection !== "function") {
    return { wt: new mod.WebTransport(url, options), connection: undefined };
  }
  const wt = new (watchingClass(mod))(url, options);
  const candidate = dialers.get(wt)?.transportInt?.clientInt;
  return { wt, connection: isConnection(candidate) ? candidate : undefined };
}

/**
 * `ready`, except that it rejects as soon as the HTTP/2 connection closes before the session is
 * established.
 */
export function readyOrLost(wt: FailsClient, connection: DialedConnection | undefined): Promise<void> {
  if (!connection) return wt.ready;
  return new Promise<void>((resolve, reject) => {
    const lost = () => reject(new Error("the server closed the connection during the WebTransport handshake"));
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

function isConnection(x: unknown): x is DialedConnection {
  if (typeof x !== "object" || x === null) return false;
  const c = x as Partial<Record<keyof DialedConnection, unknown>>;
  return typeof c.once === "function" && typeof c.removeListener === "function" && typeof c.closed === "boolean";
}

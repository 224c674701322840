import { connect } from "../../main/moq/connect.ts";
import type { ConnectOptions } from "../../main/moq/connect.ts";
import { TrackMux } from "../../main/moq/mux.ts";
import { Session } from "../../main/moq/lite/session/session.ts";
import { listen } from "../../main/moq/transport/listener.ts";
import type { Listener } from "../../main/moq/transport/listener.ts";

export interface TestServer {
  mux: TrackMux;
  listener: Listener;
  /** Server-side sessions, in the order they were established. */
  sessions: Session[];
  /** Resolves with the next server session to be established. */
  nextSession(): Promise<Session>;
  ws: string;
  http: string;
  close(): Promise<void>;
}

/** Our own moq-lite server on 127.0.0.1 with one shared mux, for tests. */
export async function startServer(
  options: { versions?: string[]; legacy?: boolean; mux?: TrackMux } = {},
): Promise<TestServer> {
  const mux = options.mux ?? new TrackMux();
  const sessions: Session[] = [];
  const waiting: ((s: Session) => void)[] = [];
  const listener = await listen({
    versions: options.versions ?? ["moq-lite-04", "moq-lite-03"],
    legacy: options.legacy ?? true,
    http3: false,
    onSession: (transport) => {
      Session.establish(transport, "server", { mux }).then(
        (s) => {
          sessions.push(s);
          waiting.shift()?.(s);
        },
        () => {},
      );
    },
  });
  return {
    mux,
    listener,
    sessions,
    nextSession: () => new Promise((resolve) => waiting.push(resolve)),
    ws: `ws://127.0.0.1:${listener.port}/`,
    http: `http://127.0.0.1:${listener.port}/`,
    async close() {
      for (const s of sessions) s.close();
      await listener.close();
    },
  };
}

export async function connectTo(url: string, options: ConnectOptions = {}): Promise<Session> {
  return connect(url, { timeoutMs: 10_000, ...options });
}

// The one contract between the main process and the UI. The preload exposes exactly this over
// Electron IPC, and `moqscope ui` will serve the same shape over a local WebSocket, so the
// renderer never knows which one it talks to.
//
// This file is shared verbatim with the preload and the renderer (type-only there), so it holds
// types and nothing else: no imports, no Node or DOM types, no runtime code.

/** What the app is and where it runs. */
export interface AppInfo {
  /** The app's version (package.json `version`). */
  version: string;
  /** The operating system as Node names it: "linux", "darwin", "win32", … */
  platform: string;
}

/** Where a connection is in its life. */
export type ConnectionStatus = "idle" | "connecting" | "connected" | "closed" | "failed";

/** How the bytes travel; the same names as the library's transport kinds. */
export type TransportKind = "websocket" | "webtransport-h2" | "webtransport-h3";

/** A point-in-time view of one connection, for the status bar and the connection panel. */
export interface SessionState {
  /** Which connection this describes ("default" is the one the app opens at start). */
  connectionId: string;
  status: ConnectionStatus;
  /** The relay URL without its jwt, or null before a connection was asked for. */
  url: string | null;
  /** Negotiated moq-lite version ("moq-lite-04"), once connected. */
  version: string | null;
  transport: TransportKind | null;
  /** Latest smoothed round-trip time in milliseconds, when known. */
  rttMs: number | null;
  /** Why the connection failed or closed, for the user; null otherwise. */
  error: string | null;
  /** When `status` last changed, in milliseconds since the Unix epoch. */
  since: number;
}

export interface SessionStateRequest {
  /** Defaults to "default". */
  connectionId?: string;
}

/**
 * Every request the UI may make: channel name → the arguments it sends and the result it gets.
 * Adding a channel here makes the validator and the main-process wiring fail to compile until
 * they handle it too.
 */
export interface InvokeContract {
  "app:info": { args: []; result: AppInfo };
  "session:state": { args: [request?: SessionStateRequest]; result: SessionState };
}

export type InvokeChannel = keyof InvokeContract;
export type InvokeArgs<C extends InvokeChannel> = InvokeContract[C]["args"];
export type InvokeResult<C extends InvokeChannel> = InvokeContract[C]["result"];

/** What the main process (or the `moqscope ui` server) implements, one function per channel. */
export type InvokeHandlers = {
  [C in InvokeChannel]: (...args: InvokeArgs<C>) => InvokeResult<C> | Promise<InvokeResult<C>>;
};

/** The object the UI sees as `window.moqscope`. */
export interface MoqscopeApi {
  invoke<C extends InvokeChannel>(channel: C, ...args: InvokeArgs<C>): Promise<InvokeResult<C>>;
}

/** The global name under which the API appears in the renderer. */
export type ApiGlobalName = "moqscope";

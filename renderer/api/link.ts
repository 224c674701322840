// A link carries the contract's wire messages between the page and main: a WebSocket to
// `moqscope ui`, or the MessagePort Electron's preload hands over. The client above never knows which.

import type { ClientMessage, ServerMessage } from "../../main/ipc/contract.ts";

/** Where the link to the app is: the UI shows anything but "open" as a banner. */
export type LinkState =
  | { kind: "connecting" }
  | { kind: "open" }
  | { kind: "retrying"; attempt: number; at: number; error: string }
  | { kind: "closed"; error: string };

export interface Link {
  send(message: ClientMessage): void;
  /** Set by the client; called for each message from main. */
  onMessage: (message: ServerMessage) => void;
  /** Set by the client; called whenever the state changes. */
  onState: (state: LinkState) => void;
  readonly state: LinkState;
}

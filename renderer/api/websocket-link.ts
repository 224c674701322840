// The link to `moqscope ui`: one WebSocket, reopened politely (growing waits, capped) when the
// host goes away, so a restarted host picks the page up again without a reload.

import type { ClientMessage, ServerMessage } from "../../main/ipc/contract.ts";
import type { Link, LinkState } from "./link.ts";

const FIRST_WAIT_MS = 500;
const LONGEST_WAIT_MS = 10_000;

export class WebSocketLink implements Link {
  onMessage: (message: ServerMessage) => void = () => {};
  onState: (state: LinkState) => void = () => {};
  state: LinkState = { kind: "connecting" };
  readonly #url: string;
  #socket: WebSocket | null = null;
  #attempt = 0;

  constructor(url: string) {
    this.#url = url;
    this.#open();
  }

  send(message: ClientMessage): void {
    if (this.#socket?.readyState === WebSocket.OPEN) this.#socket.send(JSON.stringify(message));
  }

  #setState(state: LinkState): void {
    this.state = state;
    this.onState(state);
  }

  #open(): void {
    const socket = new WebSocket(this.#url);
    this.#socket = socket;
    let opened = false;
    socket.onopen = () => {
      opened = true;
      this.#attempt = 0;
      this.#setState({ kind: "open" });
    };
    socket.onmessage = (event) => {
      if (typeof event.data !== "string") return;
      let message: ServerMessage;
      try {
        message = JSON.parse(event.data) as ServerMessage;
      } catch {
        return; // not ours: main only sends JSON text
      }
      this.onMessage(message);
    };
    socket.onclose = (event) => {
      if (this.#socket !== socket) return;
      this.#socket = null;
      const why =
        event.reason ||
        (opened ? "the moqscope ui host closed the connection" : "the moqscope ui host is not reachable");
      // A refused token is final: retrying cannot fix it, the person must open the printed URL.
      if (event.code === 1008 || event.code === 4401) {
        this.#setState({ kind: "closed", error: `${why}. Open the URL that \`moqscope ui\` printed.` });
        return;
      }
      this.#attempt += 1;
      const wait = Math.min(LONGEST_WAIT_MS, FIRST_WAIT_MS * 2 ** (this.#attempt - 1));
      this.#setState({ kind: "retrying", attempt: this.#attempt, at: Date.now() + wait, error: why });
      setTimeout(() => this.#open(), wait);
    };
  }
}

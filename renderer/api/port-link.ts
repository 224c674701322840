// The link inside Electron: the preload posts a MessagePort to the page ("moqscope:port") and
// messages on it are the contract's objects, structured-cloned.

import type { ClientMessage, ServerMessage } from "../../main/ipc/contract.ts";
import type { Link, LinkState } from "./link.ts";

export class PortLink implements Link {
  onMessage: (message: ServerMessage) => void = () => {};
  onState: (state: LinkState) => void = () => {};
  state: LinkState = { kind: "connecting" };
  #port: MessagePort | null = null;

  constructor(target: Window) {
    target.addEventListener("message", (event: MessageEvent) => {
      if (event.data !== "moqscope:port" || !event.ports[0]) return;
      this.#port?.close();
      const port = event.ports[0];
      this.#port = port;
      port.onmessage = (message: MessageEvent) => this.onMessage(message.data as ServerMessage);
      port.start();
      this.state = { kind: "open" };
      this.onState(this.state);
    });
  }

  send(message: ClientMessage): void {
    this.#port?.postMessage(message);
  }
}

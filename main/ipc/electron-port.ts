// The contract inside Electron: one MessageChannelMain per page load. Main keeps one end and
// serves it like any client link; the other end goes to the window's main frame
// (`webContents.postMessage("moqscope:port", null, [port])`), whose preload hands it to the page
// (`window.postMessage("moqscope:port", "*", [port])`; renderer/api/port-link.ts picks it up).
// A reload gets a fresh channel; the old one's watches are closed.

import { MessageChannelMain, type MessagePortMain, type WebContents } from "electron";
import type { AppServices } from "../studio/app-services.ts";
import type { HostHandlers, ServerMessage } from "./contract.ts";
import { serveClient, type ServedClient } from "./host.ts";

export interface WindowLink {
  /** Send to the page currently loaded, if any (menu actions). */
  send(message: ServerMessage): void;
  close(): void;
}

/**
 * Serve the contract to `contents` on every load of a page `isTrusted` accepts (our renderer, in
 * the window's main frame); other pages get no port at all.
 */
export function linkWindow(
  contents: WebContents,
  services: AppServices,
  hostHandlers: HostHandlers,
  isTrusted: (url: string) => boolean,
): WindowLink {
  let current: { port: MessagePortMain; client: ServedClient } | undefined;

  const end = () => {
    if (!current) return;
    current.client.close();
    current.port.close();
    current = undefined;
  };

  const connect = () => {
    end();
    if (!isTrusted(contents.mainFrame.url)) return;
    const { port1, port2 } = new MessageChannelMain();
    const closeListeners: (() => void)[] = [];
    const client = serveClient(
      services,
      {
        send: (message) => port1.postMessage(message),
        onMessage: (listener) => void port1.on("message", (event) => listener(event.data)),
        onClose: (listener) => void closeListeners.push(listener),
      },
      { hostHandlers },
    );
    port1.on("close", () => {
      for (const listener of closeListeners) listener();
    });
    port1.start();
    current = { port: port1, client };
    contents.postMessage("moqscope:port", null, [port2]);
  };

  contents.on("did-finish-load", connect);
  contents.on("did-start-navigation", (details) => {
    if (details.isMainFrame && !details.isSameDocument) end();
  });
  contents.on("destroyed", end);

  return {
    send(message) {
      current?.port.postMessage(message);
    },
    close: end,
  };
}

// Chooses the link by where the page runs: `moqscope ui` puts a token in the page URL and serves
// the WebSocket beside the page; Electron's preload posts a MessagePort instead.

import { MoqscopeClient } from "./client.ts";
import { PortLink } from "./port-link.ts";
import { WebSocketLink } from "./websocket-link.ts";

/** The client for this page, or undefined when the page runs outside moqscope. */
export function findApi(): MoqscopeClient | undefined {
  const token = new URLSearchParams(location.search).get("token");
  if (token !== null && (location.protocol === "http:" || location.protocol === "https:")) {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    return new MoqscopeClient(new WebSocketLink(`${scheme}//${location.host}/api?token=${encodeURIComponent(token)}`));
  }
  if (navigator.userAgent.includes("Electron")) return new MoqscopeClient(new PortLink(window));
  return undefined;
}

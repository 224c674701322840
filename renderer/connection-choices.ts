// The transport and protocol choices a connection can be opened with, shared by the new-connection
// form and the profile editor so both offer the same list.

import type { TransportChoice } from "../main/ipc/contract.ts";

export const TRANSPORT_CHOICES: readonly { value: TransportChoice; label: string }[] = [
  { value: "auto", label: "auto (WebTransport on HTTP/3 or /2, else WebSocket)" },
  { value: "webtransport", label: "WebTransport (HTTP/3, then HTTP/2)" },
  { value: "webtransport-h3", label: "WebTransport over HTTP/3 only" },
  { value: "webtransport-h2", label: "WebTransport over HTTP/2 only" },
  { value: "websocket", label: "WebSocket" },
];

export const PROTOCOL_CHOICES: readonly string[] = ["auto", "moq-lite-06", "moq-lite-05", "moq-lite-04", "moq-lite-03"];

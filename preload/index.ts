// Runs in the sandboxed preload context and does one thing: hands the page the MessagePort main
// sends ("moqscope:port"), over which the whole contract travels (main/ipc/electron-port.ts).
// Nothing else is exposed: no ipcRenderer, no Node, no contextBridge API.

import { ipcRenderer } from "electron";

// The page's own window (the preload runs in an isolated world of it); typed here because the
// preload is compiled without the DOM library.
const page = globalThis as unknown as {
  postMessage(message: string, targetOrigin: string, transfer: readonly unknown[]): void;
};

ipcRenderer.on("moqscope:port", (event) => {
  const [port] = event.ports;
  // "*": a file:// page has an opaque origin; the message goes to this window only, not to frames.
  if (port) page.postMessage("moqscope:port", "*", [port]);
});

// Electron bootstrap only: app lifecycle, the window, the security baseline, and wiring IPC
// channels (validated) to their handlers. The wire protocol and app state live elsewhere.

import { app, BrowserWindow, ipcMain, session, type IpcMainInvokeEvent, type WebContents } from "electron";
import { fileURLToPath } from "node:url";
import type { InvokeArgs, InvokeChannel, InvokeHandlers, InvokeResult } from "./ipc/contract.ts";
import { validateArgs } from "./ipc/validate.ts";

// electron-vite sets this while `npm run dev` serves the renderer with hot reload.
const devServerUrl = process.env["ELECTRON_RENDERER_URL"];
const rendererFile = new URL("../renderer/index.html", import.meta.url);
// A sandboxed preload must be CommonJS; electron.vite.config.ts names it index.cjs.
const preloadPath = fileURLToPath(new URL("../preload/index.cjs", import.meta.url));

let mainWindow: BrowserWindow | null = null;
const startedAt = Date.now();

// Placeholder answers until main/studio owns connections; the shapes are the contract's.
const handlers: InvokeHandlers = {
  "app:info": () => ({ version: app.getVersion(), platform: process.platform }),
  "session:state": (request) => ({
    connectionId: request?.connectionId ?? "default",
    status: "idle",
    url: null,
    version: null,
    transport: null,
    rttMs: null,
    error: null,
    since: startedAt,
  }),
};

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 800,
    minWidth: 800,
    minHeight: 500,
    title: "moqscope",
    show: false,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  });
  win.once("ready-to-show", () => win.show());
  win.on("closed", () => {
    if (mainWindow === win) mainWindow = null;
  });
  if (devServerUrl) void win.loadURL(devServerUrl);
  else void win.loadFile(fileURLToPath(rendererFile));
  return win;
}

/** The UI may navigate nowhere, open no windows, and embed no webviews. */
function lockDown(contents: WebContents): void {
  contents.on("will-navigate", (event) => event.preventDefault());
  contents.on("will-redirect", (event) => event.preventDefault());
  contents.on("will-attach-webview", (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: "deny" }));
}

/** Only our own page in our own window may call into main, not a frame it happens to contain. */
function isTrustedSender(event: IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame;
  if (!mainWindow || event.sender !== mainWindow.webContents || !frame || frame !== mainWindow.webContents.mainFrame) {
    return false;
  }
  let url: URL;
  try {
    url = new URL(frame.url);
  } catch {
    return false;
  }
  if (devServerUrl) return url.origin === new URL(devServerUrl).origin;
  return url.protocol === "file:" && url.pathname === rendererFile.pathname;
}

function handle<C extends InvokeChannel>(channel: C): void {
  const handler: (...args: InvokeArgs<C>) => InvokeResult<C> | Promise<InvokeResult<C>> = handlers[channel];
  ipcMain.handle(channel, (event, ...raw: unknown[]) => {
    if (!isTrustedSender(event)) throw new Error(`${channel}: refused, the sender is not the moqscope window`);
    return handler(...validateArgs(channel, raw));
  });
}

function registerHandlers(): void {
  for (const channel of Object.keys(handlers) as InvokeChannel[]) handle(channel);
}

app.on("web-contents-created", (_event, contents) => lockDown(contents));

app.on("window-all-closed", () => {
  if (process.platform !== "darwin") app.quit();
});

app.on("activate", () => {
  if (BrowserWindow.getAllWindows().length === 0) mainWindow = createWindow();
});

void app.whenReady().then(() => {
  // Deny every permission prompt (camera, notifications, …) until a feature asks for one.
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  registerHandlers();
  mainWindow = createWindow();
});

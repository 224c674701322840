// Electron bootstrap only: app lifecycle, the one window and its security baseline, the menu,
// and the studio served to the window over a MessagePort (main/ipc/electron-port.ts). The wire
// protocol and app state live elsewhere.

import { app, BrowserWindow, dialog, screen, session, type WebContents } from "electron";
import { fileURLToPath } from "node:url";
import { installMenu } from "./electron/menu.ts";
import { loadWindowState, saveWindowState } from "./electron/window-state.ts";
import type { HostHandlers } from "./ipc/contract.ts";
import { linkWindow, type WindowLink } from "./ipc/electron-port.ts";
import { installPolyfills } from "./moq/node.ts";
import type { AppServices } from "./studio/app-services.ts";
import { createStudio } from "./studio/index.ts";

// The transports use built-ins that older Node lacks; Electron's Node may too. Patch before use.
installPolyfills();

// electron-vite sets this while `npm run dev` serves the renderer with hot reload.
const devServerUrl = process.env["ELECTRON_RENDERER_URL"];
const rendererFile = new URL("../renderer/index.html", import.meta.url);
// A sandboxed preload must be CommonJS; electron.vite.config.ts names it index.cjs.
const preloadPath = fileURLToPath(new URL("../preload/index.cjs", import.meta.url));

let mainWindow: BrowserWindow | null = null;
let windowLink: WindowLink | null = null;
let studio: AppServices | null = null;
/** Camera access, granted only while the Publish view asks for it (camera:allow). */
let cameraAllowed = false;

const hostHandlers: HostHandlers = {
  "camera:allow": ({ allowed }) => {
    cameraAllowed = allowed;
  },
};

/** Our renderer, and nothing else, may talk to main. */
function isOurPage(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (devServerUrl) return parsed.origin === new URL(devServerUrl).origin;
  return parsed.protocol === "file:" && parsed.pathname === rendererFile.pathname;
}

function createWindow(services: AppServices): BrowserWindow {
  const userData = app.getPath("userData");
  const saved = loadWindowState(
    userData,
    screen.getAllDisplays().map((d) => d.workArea),
  );
  const win = new BrowserWindow({
    width: 1280,
    height: 800,
    ...(saved?.bounds ?? {}),
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
  if (saved?.maximized) win.maximize();
  win.once("ready-to-show", () => win.show());
  win.on("close", () => {
    saveWindowState(userData, { bounds: win.getNormalBounds(), maximized: win.isMaximized() });
  });
  win.on("closed", () => {
    if (mainWindow === win) {
      mainWindow = null;
      windowLink?.close();
      windowLink = null;
    }
  });
  windowLink = linkWindow(win.webContents, services, hostHandlers, isOurPage);
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

/** Whether a permission request comes from our page in our window. */
function fromOurWindow(contents: WebContents | null): boolean {
  return contents !== null && contents === mainWindow?.webContents && isOurPage(contents.mainFrame.url);
}

function guardPermissions(): void {
  // Deny every permission (notifications, geolocation, …) except the camera, and that only
  // while the Publish view asks for it.
  session.defaultSession.setPermissionRequestHandler((contents, permission, callback, details) => {
    const media = "mediaTypes" in details ? (details.mediaTypes ?? []) : [];
    const cameraOnly = permission === "media" && media.length > 0 && media.every((t) => t === "video");
    callback(cameraOnly && cameraAllowed && fromOurWindow(contents));
  });
  session.defaultSession.setPermissionCheckHandler((contents, permission, _origin, details) => {
    if (permission !== "media" || !cameraAllowed) return false;
    return details.mediaType === "video" && fromOurWindow(contents);
  });
}

function focusWindow(): void {
  if (!mainWindow) return;
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.show();
  mainWindow.focus();
}

async function start(): Promise<void> {
  await app.whenReady();
  guardPermissions();
  installMenu((action) => windowLink?.send({ type: "menu", action }));
  const services = await createStudio({
    configDir: app.getPath("userData"),
    appVersion: app.getVersion(),
    host: "electron",
    embeddedDemo: true,
  });
  studio = services;
  mainWindow = createWindow(services);
  app.on("activate", () => {
    if (BrowserWindow.getAllWindows().length === 0) mainWindow = createWindow(services);
  });
}

// One app at a time: a second launch focuses the first one's window and exits.
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on("second-instance", focusWindow);
  app.on("web-contents-created", (_event, contents) => lockDown(contents));
  app.on("window-all-closed", () => {
    if (process.platform !== "darwin") app.quit();
  });

  // Close connections, recordings and the embedded relay before exiting.
  let closing = false;
  app.on("before-quit", (event) => {
    if (!studio || closing) return;
    closing = true;
    event.preventDefault();
    const services = studio;
    studio = null;
    void services
      .close()
      .catch((err: unknown) => console.error("moqscope: closing the studio failed:", err))
      .finally(() => app.quit());
  });

  start().catch((err: unknown) => {
    // Before a window exists a person sees nothing else: say why in a dialog too.
    const message = err instanceof Error ? err.message : String(err);
    console.error("moqscope: could not start:", err);
    dialog.showErrorBox("moqscope could not start", message);
    app.exit(1);
  });
}

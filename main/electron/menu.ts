// The application menu: the usual roles, plus the app's own actions with their shortcuts. Items
// that act in the UI are sent to the renderer ("menu" messages), which runs the same code as its
// own key handler; their accelerators are shown but not registered, so a key press reaches the
// page once and is not also turned into a menu message.

import { Menu, shell, type MenuItemConstructorOptions } from "electron";
import type { MenuAction } from "../ipc/contract.ts";

export function installMenu(act: (action: MenuAction) => void): void {
  const mac = process.platform === "darwin";
  const item = (label: string, accelerator: string, action: MenuAction): MenuItemConstructorOptions => ({
    label,
    accelerator,
    registerAccelerator: false,
    click: () => act(action),
  });
  const template: MenuItemConstructorOptions[] = [
    ...(mac ? [{ role: "appMenu" } as const] : []),
    {
      label: "&File",
      submenu: [
        item("Open Recording…", "CmdOrCtrl+O", "open-recording"),
        item("Record", "CmdOrCtrl+S", "record"),
        { type: "separator" },
        mac ? { role: "close" } : { role: "quit" },
      ],
    },
    { role: "editMenu" },
    {
      label: "&View",
      submenu: [
        item("Focus URL", "CmdOrCtrl+L", "focus-url"),
        { type: "separator" },
        { role: "reload" },
        { role: "forceReload" },
        { role: "toggleDevTools" },
        { type: "separator" },
        { role: "resetZoom" },
        { role: "zoomIn" },
        { role: "zoomOut" },
        { type: "separator" },
        { role: "togglefullscreen" },
      ],
    },
    { role: "windowMenu" },
    {
      role: "help",
      submenu: [
        { label: "Media over QUIC (moq.dev)", click: () => void shell.openExternal("https://moq.dev/") },
        ...(mac ? [] : [{ role: "about" } as const]),
      ],
    },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

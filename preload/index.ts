// Runs in the sandboxed preload context and hands the page exactly the contract's API: one typed
// `invoke` over the contract's channels. No ipcRenderer, no event objects, no Node leaks through.

import { contextBridge, ipcRenderer } from "electron";
import type { ApiGlobalName, InvokeArgs, InvokeChannel, InvokeResult, MoqscopeApi } from "../main/ipc/contract.ts";

const api: MoqscopeApi = {
  invoke<C extends InvokeChannel>(channel: C, ...args: InvokeArgs<C>): Promise<InvokeResult<C>> {
    // Main validates channel and arguments again; this only keeps obvious junk off the wire.
    if (typeof channel !== "string") return Promise.reject(new TypeError("channel must be a string"));
    return ipcRenderer.invoke(channel, ...args) as Promise<InvokeResult<C>>;
  },
};

const globalName: ApiGlobalName = "moqscope";
contextBridge.exposeInMainWorld(globalName, api);

// What the app's hosts (the Electron window, `moqscope ui`) need from the studio: one handler per
// request channel and a source per open view. main/ipc validates and carries; this answers.

import type { InvokeHandlers, ViewItem, ViewName, ViewParams } from "../ipc/contract.ts";
import type { ViewSource } from "./live/collection.ts";

export interface AppServices {
  /** Each receives arguments already validated against the contract's schemas. Errors thrown
   * here reach the UI as their message, so they are written for a person. */
  readonly handlers: InvokeHandlers;
  /** A live source for a view; throws an Error with a person-readable message when the params
   * name something unknown (a closed connection). The caller closes it when the watch ends. */
  openView<V extends ViewName>(view: V, params: ViewParams<V>): ViewSource<ViewItem<V>>;
  /** Disconnect everything, stop recordings and the embedded relay. */
  close(): Promise<void>;
}

// The app API as the UI sees it. In Electron the preload puts it on `window.moqscope`; in a plain
// browser (e.g. a page opened without the preload) it is absent and the UI must say so, not crash.

import type { MoqscopeApi } from "../main/ipc/contract.ts";

/** The API when present and shaped like one, otherwise undefined. */
export function findApi(): MoqscopeApi | undefined {
  const candidate: unknown = (globalThis as { moqscope?: unknown }).moqscope;
  if (typeof candidate !== "object" || candidate === null) return undefined;
  if (typeof (candidate as { invoke?: unknown }).invoke !== "function") return undefined;
  return candidate as MoqscopeApi;
}

// Waiting on the studio's views: resolve once a view's items satisfy a condition, re-checked on
// every change the view reports (no polling, no sleeps).

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ChangeListener, ViewSource } from "../../../main/studio/live/collection.ts";
import { within } from "../../helpers/wait.ts";

export const T = 20_000;

/** The first value `check` returns (not undefined) from the view's items, re-checked on each change. */
export function untilView<T extends { key: string }, R>(
  view: ViewSource<T>,
  check: (items: T[]) => R | undefined | false,
  what: string,
  ms = T,
): Promise<R> {
  let stop: (() => void) | undefined;
  const found = new Promise<R>((resolve) => {
    const test: ChangeListener = () => {
      const result = check(view.items());
      if (result !== undefined && result !== false) {
        stop?.();
        resolve(result);
      }
    };
    stop = view.subscribe(test);
    test("", false);
  });
  return within(found, ms, what).finally(() => stop?.());
}

export async function tempDir(): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), "moqscope-studio-"));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

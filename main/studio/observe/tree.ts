// The announcement tree: one node per path segment, broadcasts marked active or ended, counts
// rolled up to every ancestor. Ended broadcasts stay a while (the UI shows them struck out), then
// go, and prefixes with nothing left below them go with them.

import type { TreeNode } from "../../ipc/contract.ts";
import { LiveCollection } from "../live/collection.ts";
import type { RecordOf } from "./records.ts";

/** How long an ended broadcast stays in the tree. */
export const ENDED_KEEP_MS = 60_000;
/** Broadcasts tracked per connection at most (a relay with more is shown in part). */
export const MAX_BROADCASTS = 10_000;

interface Broadcast {
  active: boolean;
  hops: number[];
  hopIds: boolean;
  cost: number | null;
  announcedAt: number | null;
  endedAt: number | null;
}

export class AnnouncementTree {
  readonly view = new LiveCollection<TreeNode>();
  readonly #broadcasts = new Map<string, Broadcast>();
  /** Broadcasts at or below each node (active ones, all kept): kept incrementally, so ten thousand announcements stay cheap. */
  readonly #counts = new Map<string, { active: number; total: number }>();

  apply(record: RecordOf<"announce">): void {
    const path = record.path.split("/").filter(Boolean).join("/");
    if (path === "") return;
    const known = this.#broadcasts.get(path);
    if (!known && this.#broadcasts.size >= MAX_BROADCASTS) return;
    if (!record.active && !known?.active) return;
    const next: Broadcast = record.active
      ? {
          active: true,
          hops: record.hops,
          hopIds: record.hopIds,
          cost: record.cost ?? null,
          announcedAt: record.at,
          endedAt: null,
        }
      : {
          active: false,
          hops: known?.hops ?? [],
          hopIds: known?.hopIds ?? false,
          cost: known?.cost ?? null,
          announcedAt: known?.announcedAt ?? null,
          endedAt: record.at,
        };
    this.#set(path, next, record.at);
  }

  /** The session is gone: what it announced is no longer known to be there. */
  endAll(at: number): void {
    for (const [path, b] of [...this.#broadcasts]) {
      if (b.active) this.#set(path, { ...b, active: false, endedAt: at }, at);
    }
  }

  /** Drop broadcasts ended more than ENDED_KEEP_MS before `now`. */
  expire(now: number): void {
    for (const [path, b] of [...this.#broadcasts]) {
      if (b.active || b.endedAt === null || now - b.endedAt < ENDED_KEEP_MS) continue;
      this.#set(path, undefined, now);
    }
  }

  isActive(path: string): boolean {
    return this.#broadcasts.get(path)?.active ?? false;
  }

  /** Replace (or with undefined remove) the broadcast at `path`, then rebuild it and its ancestors. */
  #set(path: string, next: Broadcast | undefined, at: number): void {
    const before = this.#broadcasts.get(path);
    if (next) this.#broadcasts.set(path, next);
    else this.#broadcasts.delete(path);
    const dActive = (next?.active ? 1 : 0) - (before?.active ? 1 : 0);
    const dTotal = (next ? 1 : 0) - (before ? 1 : 0);
    const segments = path.split("/");
    // Parents first, so a new subtree is inserted in display order.
    for (let depth = 1; depth <= segments.length; depth++) {
      const key = segments.slice(0, depth).join("/");
      const counts = this.#counts.get(key) ?? { active: 0, total: 0 };
      counts.active += dActive;
      counts.total += dTotal;
      if (counts.total <= 0) {
        this.#counts.delete(key);
        this.view.delete(key);
        continue;
      }
      this.#counts.set(key, counts);
      const own = this.#broadcasts.get(key);
      this.view.set({
        key,
        name: segments[depth - 1]!,
        parent: depth > 1 ? segments.slice(0, depth - 1).join("/") : null,
        depth: depth - 1,
        broadcast: own !== undefined,
        active: own?.active ?? false,
        activeCount: counts.active,
        totalCount: counts.total,
        hops: own && own.hopIds ? own.hops : null,
        hopCount: own ? own.hops.length : null,
        cost: own?.cost ?? null,
        announcedAt: own?.announcedAt ?? null,
        endedAt: own?.endedAt ?? null,
        changedAt: at,
      });
    }
  }
}

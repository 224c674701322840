// Keeps an admitted session's grant honest: closes the session when the grant expires, re-checks
// through the decider's lease on the grant's cadence (one re-check at a time, outages retried with
// backoff), and decides whether a fresh grant still covers the session, as moq-relay 0.17 does.

import { covers, normalizeGrant } from "./grant.ts";
import type { Grant, Lease, Recheck } from "./grant.ts";

/** Why a lease stopped covering its session; also the `end` event's reason. */
export type LeaseVerdict = "expired" | "refused" | "invalid" | "grant narrowed" | "root changed" | "mounts changed";

export interface LeaseWatch {
  grant: Grant;
  lease?: Lease;
  /** The grant no longer covers the session: close it with `message`. Called at most once. */
  ended(reason: LeaseVerdict, message: string): void;
  /** A re-check failed; the grant stands and the next try comes in `retryMs`. */
  outage?(message: string, retryMs: number): void;
  /** A re-check kept the session; `grant` carries the new expiry and cadence. */
  renewed?(grant: Grant): void;
}

// setTimeout holds at most ~24.8 days; longer waits re-arm.
const MAX_TIMER_MS = 2 ** 31 - 1;
const BACKOFF_MAX_MS = 60_000;

/** moq-auth's retry delay: 1 s doubling per failure, capped by the cadence and 60 s, jittered ±25 %. */
export function backoffMs(failures: number, cadenceMs: number, random: () => number = Math.random): number {
  const base = Math.min(1000 * 2 ** Math.min(Math.max(failures - 1, 0), 16), cadenceMs, BACKOFF_MAX_MS);
  return base * (0.75 + random() * 0.5);
}

export interface LeaseWatcher {
  stop(): void;
  /**
   * Re-check now (an operator's push): at once when idle, or once more after the re-check in
   * flight, as moq-auth does. False when there is no lease to ask or the watch has stopped.
   */
  nudge(): boolean;
}

/** Watch `w.grant` until stop() (the session closed) or until it ends the session. */
export function watchLease(w: LeaseWatch): LeaseWatcher {
  let current = w.grant;
  let stopped = false;
  let failures = 0;
  let inflight = false;
  /** A nudge came while a re-check was in flight: ask again when its reply lands. */
  let pending = false;
  let expiry: ReturnType<typeof setTimeout> | undefined;
  let next: ReturnType<typeof setTimeout> | undefined;

  const stop = () => {
    stopped = true;
    clearTimeout(expiry);
    clearTimeout(next);
  };
  const finish = (reason: LeaseVerdict, message: string) => {
    if (stopped) return;
    stop();
    w.ended(reason, message);
  };
  const timer = (fn: () => void, ms: number) => {
    const t = setTimeout(fn, Math.min(Math.max(0, ms), MAX_TIMER_MS));
    t.unref?.();
    return t;
  };

  // Expiry is enforced here whoever decides, even while a re-check hangs.
  const armExpiry = () => {
    clearTimeout(expiry);
    const expires = current.expires;
    if (expires === undefined) return;
    expiry = timer(
      () => (Date.now() < expires * 1000 ? armExpiry() : finish("expired", "authorization expired")),
      expires * 1000 - Date.now(),
    );
  };

  const recheck = async (lease: Lease) => {
    clearTimeout(next);
    inflight = true;
    let answer: Recheck;
    try {
      answer = await lease.recheck();
    } catch (err) {
      answer = { outage: err instanceof Error ? err.message : String(err) };
    } finally {
      inflight = false;
    }
    if (stopped) return;
    apply(lease, answer);
    if (pending && !stopped) {
      pending = false;
      void recheck(lease);
    }
  };

  const apply = (lease: Lease, answer: Recheck) => {
    if ("outage" in answer) {
      failures++;
      const delay = backoffMs(failures, (current.revalidate ?? 60) * 1000);
      w.outage?.(answer.outage, delay);
      next = timer(() => void recheck(lease), delay);
      return;
    }
    if ("revoked" in answer) return finish(answer.revoked, answer.message);
    let fresh: Grant;
    try {
      fresh = normalizeGrant(answer.grant);
    } catch (err) {
      return finish(
        "invalid",
        `the re-check answered a bad grant: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    if (fresh.root !== current.root)
      return finish("root changed", `root changed on re-check: /${current.root} became /${fresh.root}`);
    if (JSON.stringify(sortedMounts(fresh)) !== JSON.stringify(sortedMounts(current)))
      return finish("mounts changed", "mounts changed on re-check");
    const lost = [
      ...current.publish.filter((p) => !covers(fresh.publish, [p])).map((p) => `publish ${p}`),
      ...current.subscribe.filter((p) => !covers(fresh.subscribe, [p])).map((p) => `subscribe ${p}`),
    ];
    if (lost.length > 0) return finish("grant narrowed", `grant narrowed on re-check: no longer ${lost.join(", ")}`);
    failures = 0;
    // Patterns are not widened in place (moq-relay 0.17.10): only the expiry, cadence and tier move.
    current = { root: current.root, publish: current.publish, subscribe: current.subscribe };
    if (fresh.mounts) current.mounts = fresh.mounts;
    if (fresh.tier !== undefined) current.tier = fresh.tier;
    if (fresh.expires !== undefined) current.expires = fresh.expires;
    if (fresh.revalidate !== undefined) current.revalidate = fresh.revalidate;
    armExpiry();
    w.renewed?.(current);
    schedule(lease);
  };

  // The timer restarts from each reply, with that reply's cadence.
  const schedule = (lease: Lease) => {
    if (current.revalidate !== undefined) next = timer(() => void recheck(lease), current.revalidate * 1000);
  };

  armExpiry();
  if (w.lease) schedule(w.lease);
  const nudge = () => {
    const lease = w.lease;
    if (!lease || stopped) return false;
    if (inflight) pending = true;
    else void recheck(lease);
    return true;
  };
  return { stop, nudge };
}

/** A grant's mounts as sorted pairs, to compare two grants'. */
function sortedMounts(grant: Grant): [string, string][] {
  return Object.entries(grant.mounts ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

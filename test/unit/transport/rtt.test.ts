// The RTT estimator's arithmetic and the pinger's schedule, driven by a ping whose answers the test
// hands out one by one (the real pings are covered over real sockets in rtt-loopback.test.ts).

import { describe, expect, it } from "vitest";
import { RttEstimator, RttPinger } from "../../../main/moq/transport/rtt.ts";
import { within } from "../../helpers/wait.ts";

describe("RttEstimator", () => {
  it("reads the least warm-up sample, so a slow first answer does not linger", () => {
    const e = new RttEstimator();
    expect(e.smoothedMs).toBeUndefined();
    e.update(18);
    expect(e.smoothedMs).toBe(18);
    e.update(0.2);
    e.update(0.4);
    expect(e.smoothedMs).toBe(0.2);
    expect(e.latestMs).toBe(0.4);
  });

  it("smooths as RFC 9002 does once settled: a spike moves it by an eighth", () => {
    const e = new RttEstimator();
    e.update(1);
    e.settle();
    e.update(9);
    expect(e.smoothedMs).toBe(2);
    expect(e.latestMs).toBe(9);
  });

  it("a new warm-up keeps the old reading until its first sample, then starts from that sample", () => {
    const e = new RttEstimator();
    e.update(0.1);
    e.settle();
    e.warmUp();
    expect(e.smoothedMs).toBe(0.1);
    e.update(30);
    expect(e.smoothedMs).toBe(30);
  });

  it("ignores samples that cannot be round trips", () => {
    const e = new RttEstimator();
    e.update(-1);
    e.update(Number.NaN);
    e.update(Number.POSITIVE_INFINITY);
    expect(e.smoothedMs).toBeUndefined();
    expect(e.latestMs).toBeUndefined();
  });
});

/** A ping the test answers by hand: each call waits in `calls` until answer() or fail(). */
function handPing() {
  const calls: { answer: (ms: number) => void; fail: () => void }[] = [];
  const waiters: (() => void)[] = [];
  const ping = () =>
    new Promise<number>((resolve, reject) => {
      calls.push({ answer: resolve, fail: () => reject(new Error("lost")) });
      waiters.splice(0).forEach((w) => w());
    });
  /** The n-th ping (1-based), once it has been sent. */
  const nth = (n: number) =>
    within(
      new Promise<(typeof calls)[number]>((resolve) => {
        const check = () => (calls.length >= n ? resolve(calls[n - 1]!) : waiters.push(check));
        check();
      }),
      5_000,
      `ping #${n}`,
    );
  return { ping, calls, nth };
}

/** Let promise handlers already due run (the pinger takes answers in through then()). */
const settled = () => new Promise<void>((resolve) => setImmediate(resolve));

const FAST = { warmupIntervalMs: 1, warmupSamples: 3, intervalMs: 1 };

describe("RttPinger", () => {
  it("pings at once, one at a time, and leaves the warm-up after its samples", async () => {
    const h = handPing();
    const p = new RttPinger(h.ping, FAST);
    p.start();
    const first = await h.nth(1);
    await settled();
    expect(h.calls.length).toBe(1); // the next one waits for the answer
    first.answer(20);
    (await h.nth(2)).answer(0.3);
    (await h.nth(3)).answer(0.5);
    const fourth = await h.nth(4); // sent once the third answer was taken in
    expect(p.estimator.smoothedMs).toBe(0.3); // warm-up minimum
    fourth.answer(8.3);
    await h.nth(5);
    expect(p.estimator.smoothedMs).toBeCloseTo((7 / 8) * 0.3 + 8.3 / 8); // settled
    p.stop();
  });

  it("drops the answer to a ping sent before restart() and measures again at once", async () => {
    const h = handPing();
    const p = new RttPinger(h.ping, FAST);
    p.start();
    const first = await h.nth(1);
    p.restart(); // the session above finished its setup while the first ping was out
    first.answer(25);
    const second = await h.nth(2);
    expect(p.estimator.smoothedMs).toBeUndefined();
    second.answer(0.2);
    await h.nth(3);
    expect(p.estimator.smoothedMs).toBe(0.2);
    expect(p.estimator.latestMs).toBe(0.2);
    p.stop();
  });

  it("keeps pinging after a lost ping", async () => {
    const h = handPing();
    const p = new RttPinger(h.ping, FAST);
    p.start();
    (await h.nth(1)).fail();
    (await h.nth(2)).answer(0.4);
    await h.nth(3);
    expect(p.estimator.latestMs).toBe(0.4);
    p.stop();
  });

  it("stop() leaves no timer, and an answer after it changes nothing and schedules nothing", async () => {
    const h = handPing();
    const p = new RttPinger(h.ping, FAST);
    p.start();
    const first = await h.nth(1);
    expect(p.pending).toBe(true);
    p.stop();
    first.answer(0.1);
    await settled();
    expect(p.pending).toBe(false);
    expect(p.estimator.latestMs).toBeUndefined();
    expect(h.calls.length).toBe(1);
  });
});

// The case users saw: a freshly started `moqscope inspect` (still compiling its code while the
// session is set up, so its first pings read 10-20 ms) against our relay on 127.0.0.1. Its stats
// must read a loopback RTT under 5 ms within two seconds, smoothed and latest, on both transports.

import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Relay } from "../../../main/moq/relay/relay.ts";
import { jsonLines, killAll, runCli } from "../cli/helpers.ts";

const LOOPBACK_BOUND_MS = 5;

let relay: Relay;
beforeAll(async () => {
  relay = await Relay.start({ http3: false, onLog: () => {} });
});
afterEach(() => killAll());
afterAll(async () => {
  await relay.close();
});

describe("moqscope inspect on loopback", () => {
  for (const transport of ["websocket", "webtransport"]) {
    it(`--transport ${transport}: rtt under ${LOOPBACK_BOUND_MS} ms within 2 s`, { timeout: 60_000 }, async () => {
      const url = `http://127.0.0.1:${relay.port}/`;
      const result = await runCli(["inspect", url, "--transport", transport, "--json", "--duration", "2"]);
      expect(result.code, result.stderr).toBe(0);
      // One stats record a second from the established session, and a last one at the end.
      const stats = jsonLines(result.stdout).filter((l) => l.event === "stats");
      expect(stats.length, result.stdout).toBeGreaterThanOrEqual(2);
      const good = stats.find(
        (s) =>
          typeof s.rttMs === "number" &&
          typeof s.rttLatestMs === "number" &&
          s.rttMs > 0 &&
          s.rttMs < LOOPBACK_BOUND_MS &&
          s.rttLatestMs < LOOPBACK_BOUND_MS,
      );
      expect(good, `no stats record read a loopback RTT:\n${result.stdout}`).toBeDefined();
    });
  }
});

describe("RTT as people read it", () => {
  const url = () => `ws://127.0.0.1:${relay.port}/`;
  const under = (ms: string | undefined) => ms !== undefined && Number(ms) < LOOPBACK_BOUND_MS;

  it("inspect shows the smoothed RTT with the latest sample beside it", { timeout: 60_000 }, async () => {
    const result = await runCli(["inspect", url(), "--duration", "2"]);
    expect(result.code, result.stderr).toBe(0);
    const rtts = [...result.stdout.matchAll(/^stats {2}rtt ([\d.]+) ms \(latest ([\d.]+) ms\) · sent /gm)];
    expect(rtts.length, result.stdout).toBeGreaterThanOrEqual(1);
    // The smoothed value is what must read right; one latest sample may catch a busy machine's
    // scheduling delay (17 ms seen under a parallel benchmark), so it is only required to be shown.
    expect(
      rtts.some((m) => under(m[1])),
      result.stdout,
    ).toBe(true);
  });

  it("probe shows the peer's RTT and ours, with our latest sample", { timeout: 60_000 }, async () => {
    const result = await runCli(["probe", url(), "--duration", "2"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/ Mbit\/s {2}\(\d+ bit\/s\) {2}rtt [\d.]+ ms, ours [\d.]+ ms \(latest [\d.]+ ms\)$/m);
  });
});

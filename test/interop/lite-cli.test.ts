// The `moqscope` command (a child process, through tsx) against a @moq/lite server, for
// moq-lite-03 and -04 over WebSocket + QMux: sub, inspect and pub --clock.

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { within } from "../helpers/wait.ts";
import { jsonLines, killAll, runCli, startCli } from "../unit/cli/helpers.ts";
import { VERSIONS, captureConsole } from "./fixtures.ts";
import { Moq, startLiteServer } from "./lite-peer.ts";
import type { LiteServer } from "./lite-peer.ts";

const T = 30_000;
// Spawning node + tsx on a busy 2-core machine takes a while.
const SLOW = { timeout: 90_000 };

let lite: LiteServer | undefined;

beforeEach(() => captureConsole());
afterEach(async () => {
  killAll();
  await lite?.close();
  lite = undefined;
  vi.restoreAllMocks();
});

const decoder = new TextDecoder();

/** Serve `track` requests of a @moq/lite broadcast with `handler`. */
function serve(broadcast: Moq.Broadcast, handler: (track: Moq.Track) => void | Promise<void>): void {
  void (async () => {
    for (let r; (r = await broadcast.requested());) void Promise.resolve(handler(r.track)).catch(() => {});
  })().catch(() => {});
}

describe.each(VERSIONS)("moqscope against a @moq/lite server, %s", (version) => {
  it("sub --count --json prints every frame of their track", SLOW, async () => {
    lite = await startLiteServer({ version });
    const broadcast = new Moq.Broadcast();
    lite.publish("lite/cli", broadcast);
    serve(broadcast, (track) => {
      // Binary and text frames, one empty; the track stays open (the CLI stops at --count).
      for (let g = 0; g < 3; g++) {
        const group = track.appendGroup();
        group.writeString(`g${g} first`);
        group.writeFrame(new Uint8Array([0, 255, g, 128]));
        group.writeFrame(new Uint8Array());
        group.writeString(`g${g} last`);
        group.close();
      }
    });
    const result = await runCli([
      "sub",
      lite.url,
      "lite/cli",
      track(version),
      "--count",
      "12",
      "--json",
      "--protocol",
      version,
    ]);
    expect(result.code, result.stderr).toBe(0);
    const lines = jsonLines(result.stdout);
    const frames = lines.filter((l) => l.event === "frame");
    expect(frames).toHaveLength(12);
    for (const f of frames) expect(f).toMatchObject({ broadcast: "lite/cli", track: track(version) });
    // Groups may interleave; within each, frames are complete and in order.
    for (let g = 0; g < 3; g++) {
      const mine = frames.filter((f) => f.group === g);
      expect(mine.map((f) => f.frame)).toEqual([0, 1, 2, 3]);
      const data = mine.map((f) => Buffer.from(String(f.data), "base64"));
      expect(decoder.decode(data[0])).toBe(`g${g} first`);
      expect([...data[1]!]).toEqual([0, 255, g, 128]);
      expect(data[2]!.length).toBe(0);
      expect(decoder.decode(data[3])).toBe(`g${g} last`);
      expect(mine.map((f) => f.size)).toEqual([data[0]!.length, 4, 0, data[3]!.length]);
    }
    expect(lines.at(-1)).toMatchObject({ event: "summary", frames: 12, groups: 3, reason: "count" });
  });

  it("sub exits 0 when they end the track (FIN)", SLOW, async () => {
    lite = await startLiteServer({ version });
    const broadcast = new Moq.Broadcast();
    lite.publish("lite/finite", broadcast);
    serve(broadcast, (track) => {
      for (let g = 0; g < 2; g++) {
        const group = track.appendGroup();
        group.writeString(`frame ${g}`);
        group.close();
      }
      track.close();
    });
    const result = await runCli(["sub", lite.url, "lite/finite", "t", "--json", "--protocol", version]);
    expect(result.code, result.stderr).toBe(0);
    const lines = jsonLines(result.stdout);
    expect(lines.filter((l) => l.event === "frame").map((l) => l.group)).toEqual([0, 1]);
    expect(lines.at(-1)).toMatchObject({ event: "summary", frames: 2, reason: "end" });
  });

  it("sub exits 1 naming the broadcast when it is not published there", SLOW, async () => {
    lite = await startLiteServer({ version });
    lite.publish("lite/other", new Moq.Broadcast());
    const result = await runCli(["sub", lite.url, "lite/missing", "t", "--json", "--protocol", version]);
    expect(result.code).toBe(1);
    const errors = jsonLines(result.stdout).filter((l) => l.event === "error");
    expect(errors, result.stdout + result.stderr).toHaveLength(1);
    // @moq/lite refuses with RESET_STREAM 0, not 13 (NotFound); a reset before SUBSCRIBE_OK is
    // still a refusal, so the CLI explains it from the announcements.
    expect(errors[0]).toMatchObject({ code: 0 });
    expect(String(errors[0]!.message)).toContain('broadcast "lite/missing" is not announced');
    expect(String(errors[0]!.message)).toContain("lite/other");
  });

  it("inspect --json --duration 2 shows their broadcast's announce event and their probe reports", SLOW, async () => {
    lite = await startLiteServer({ version, estimatedSendRate: 2_500_000 });
    lite.publish("lite/shown", new Moq.Broadcast());
    const result = await runCli(["inspect", lite.url, "--json", "--duration", "2", "--protocol", version]);
    expect(result.code, result.stderr).toBe(0);
    const lines = jsonLines(result.stdout);
    expect(lines[0]).toMatchObject({ event: "connected", version });
    expect(lines.filter((l) => l.event === "announce")).toEqual([
      expect.objectContaining({ path: "lite/shown", active: true }),
    ]);
    const probes = lines.filter((l) => l.event === "probe");
    expect(probes.length).toBeGreaterThanOrEqual(1);
    // @moq/lite reports its estimate and leaves RTT unknown.
    expect(probes[0]).toMatchObject({ bitrate: 2_500_000, rttMs: null });
    expect(lines.at(-1)).toMatchObject({ event: "summary", announced: 1, reason: "duration" });
  });

  it("inspect says the peer reports no probe measurements when their transport has no getStats", SLOW, async () => {
    lite = await startLiteServer({ version });
    lite.publish("lite/quiet", new Moq.Broadcast());
    const result = await runCli(["inspect", lite.url, "--json", "--duration", "2", "--protocol", version]);
    expect(result.code, result.stderr).toBe(0);
    const lines = jsonLines(result.stdout);
    expect(lines.filter((l) => l.event === "announce")).toEqual([
      expect.objectContaining({ path: "lite/quiet", active: true }),
    ]);
    expect(lines.filter((l) => l.event === "probe")).toHaveLength(0);
    const notices = lines.filter(
      (l) => l.event === "notice" && String(l.message).startsWith("peer does not report probe measurements"),
    );
    expect(notices).toHaveLength(1);
  });

  it(
    "pub --clock publishes to them: their announced() sees it and their subscription gets clock frames",
    SLOW,
    async () => {
      lite = await startLiteServer({ version });
      const cli = startCli(["pub", lite.url, "cli/clock", "--clock", "--json", "--protocol", version]);
      const theirs = await within(lite.nextConnection(), T, "the CLI's connection");
      // A @moq/lite server learns a client's broadcasts by asking, like any subscriber.
      const announced = theirs.announced(Moq.Path.from(""));
      expect(await within(announced.next(), T, "the CLI's announcement")).toEqual({ path: "cli/clock", active: true });

      const clock = theirs.consume(Moq.Path.from("cli/clock")).subscribe("clock", 1);
      const group = await within(clock.recvGroup(), T, "a clock group");
      // The clock keeps a group open for several ticks; its first frame is there already.
      const first = await within(group!.readFrame(), T, "a clock frame");
      const tick = decoder.decode(first);
      expect(new Date(tick).toISOString()).toBe(tick);
      await cli.line((l) => l.includes('"event":"subscribed"'), "the subscribed event", T);

      cli.child.kill("SIGINT");
      const result = await within(cli.exited, T, "the CLI to exit");
      expect(result.code, result.stderr).toBe(0);
      // pub ends its broadcast and closes the session at once; the un-announce usually does not get
      // out first, and @moq/lite then ends announced() with the connection's error.
      const after = await within(
        announced.next().then(
          (v) => v,
          (err: unknown) => err,
        ),
        T,
        "the end of the announcement",
      );
      if (after instanceof Error) expect(after.message).toMatch(/closed/i);
      else expect(after).toEqual({ path: "cli/clock", active: false });
    },
  );
});

/** A track name that differs per version, so a cross-version mix-up would show. */
function track(version: string): string {
  return `frames-${version.slice(-2)}`;
}

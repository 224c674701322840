// `moqscope pub` publishing to our server, with the server subscribing back through the session
// the CLI opened (the server learns the broadcast from the CLI's announcements).

import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Session } from "../../../main/moq/lite/session/session.ts";
import { within } from "../../helpers/wait.ts";
import { concat, jsonLines, killAll, runCli, startCli, startCliServer } from "./helpers.ts";
import type { CliServer } from "./helpers.ts";

let server: CliServer;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "moqscope-pub-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  server = await startCliServer();
});
afterEach(async () => {
  killAll();
  await server.close();
});

/** Wait until the CLI's session announces `path` to the server. */
async function announcedByCli(session: Session, path: string): Promise<void> {
  const reader = session.announced("");
  for (;;) {
    const change = await within(reader.next(), 30_000, `announcement of ${path}`);
    if (!change) throw new Error("announce stream ended");
    if (change.path === path && change.active) break;
  }
  reader.close();
}

/** Subscribe and read every group to the end of the track: the payload in group and frame order. */
async function readWholeTrack(
  session: Session,
  broadcast: string,
  track: string,
): Promise<{ data: Uint8Array; frames: number; groups: number }> {
  const sub = session.subscribe(broadcast, track, { maxCachedGroups: 10_000 });
  const groups: Array<Promise<{ sequence: number; frames: Uint8Array[] }>> = [];
  for (;;) {
    const group = await within(sub.nextGroup(), 30_000, "the next group or the end of the track");
    if (!group) break;
    groups.push(
      (async () => {
        const frames: Uint8Array[] = [];
        for (;;) {
          const frame = await group.readFrame();
          if (!frame) break;
          frames.push(frame);
        }
        return { sequence: group.sequence, frames };
      })(),
    );
  }
  const done = (await Promise.all(groups)).sort((a, b) => a.sequence - b.sequence);
  const frames = done.flatMap((g) => g.frames);
  return { data: concat(frames), frames: frames.length, groups: done.length };
}

describe("moqscope pub", () => {
  it("--max-age and --publisher-priority are what TRACK_INFO says, for every source", { timeout: 60_000 }, async () => {
    const file = join(dir, "info.bin");
    await writeFile(file, randomBytes(2048));
    const sources: [string, string[], string | undefined][] = [
      ["clock", ["--clock"], undefined],
      ["data", ["--file", file], undefined],
      ["data", ["--stdin"], "some input"],
    ];
    for (const [track, source, stdin] of sources) {
      const flags = ["--max-age", "1500", "--publisher-priority", "42", "--json"];
      const cli = startCli(["pub", server.url, "info", ...source, ...flags], stdin ? { stdin } : {});
      const session = await within(server.nextSession(), 30_000, "the CLI's session");
      await announcedByCli(session, "info");
      // Asked before anyone subscribes: the CLI answers from what it will publish.
      const info = await within(session.trackInfo("info", track), 30_000, `TRACK_INFO for ${source[0]}`);
      expect(info, source[0]).toMatchObject({ maxLatencyMs: 1500, priority: 42 });
      cli.child.kill("SIGINT");
      await cli.exited;
    }
    const bad = await runCli(["pub", server.url, "info", "--clock", "--publisher-priority", "256"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--publisher-priority must be an integer from 0 to 255");
  });

  it("--clock publishes ISO-8601 times that a subscriber receives", { timeout: 60_000 }, async () => {
    const cli = startCli(["pub", server.url, "clock-test", "--clock", "--fps", "5", "--json"]);
    const session = await within(server.nextSession(), 30_000, "the CLI's session");
    await announcedByCli(session, "clock-test");
    const sub = session.subscribe("clock-test", "clock");
    const times: string[] = [];
    while (times.length < 3) {
      const group = await within(sub.nextGroup(), 30_000, "a clock group");
      expect(group).toBeDefined();
      for (;;) {
        const frame = await within(group!.readFrame(), 30_000, "a clock frame");
        if (!frame || times.length >= 3) break;
        times.push(Buffer.from(frame).toString("utf8"));
      }
    }
    for (const t of times) {
      expect(t).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(new Date(t).toISOString()).toBe(t);
    }
    sub.close();
    cli.child.kill("SIGINT");
    const result = await cli.exited;
    expect(result.code, result.stderr).toBe(0);
    const lines = jsonLines(result.stdout);
    expect(lines.some((l) => l.event === "subscribed" && l.track === "clock")).toBe(true);
    expect(lines.at(-1)).toMatchObject({
      event: "summary",
      broadcast: "clock-test",
      track: "clock",
      reason: "interrupted",
    });
  });

  it("--file delivers a 100 KiB file byte for byte and exits 0 afterwards", { timeout: 60_000 }, async () => {
    const content = randomBytes(100 * 1024);
    const path = join(dir, "payload.bin");
    await writeFile(path, content);
    const cli = startCli([
      "pub",
      server.url,
      "files/payload",
      "--file",
      path,
      "--frame-bytes",
      "10000",
      "--group-frames",
      "3",
    ]);
    await cli.line((l) => l.startsWith("waiting for a subscriber"), "the waiting note");
    const session = await within(server.nextSession(), 30_000, "the CLI's session");
    await announcedByCli(session, "files/payload");
    const got = await readWholeTrack(session, "files/payload", "data");
    expect(got.frames).toBe(11); // ten of 10000 bytes and one of 2400
    expect(got.groups).toBe(4);
    expect(Buffer.from(got.data).equals(content)).toBe(true);
    const result = await within(cli.exited, 30_000, "pub to exit");
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/delivered .*payload\.bin to subscriber 1: 100 KiB in 11 frames, 4 groups/);
  });

  it(
    "--file: a server that closes the session once it read the whole file gets the real tally and exit 0",
    { timeout: 60_000 },
    async () => {
      const content = randomBytes(100 * 1024);
      const path = join(dir, "then-closed.bin");
      await writeFile(path, content);
      const cli = startCli([
        "pub",
        server.url,
        "files/closed",
        "--file",
        path,
        "--frame-bytes",
        "10000",
        "--group-frames",
        "3",
        "--json",
      ]);
      const session = await within(server.nextSession(), 30_000, "the CLI's session");
      await announcedByCli(session, "files/closed");
      const got = await readWholeTrack(session, "files/closed", "data");
      expect(Buffer.from(got.data).equals(content)).toBe(true);
      session.close();
      const result = await within(cli.exited, 30_000, "pub to exit");
      expect(result.code, result.stderr).toBe(0);
      const lines = jsonLines(result.stdout);
      expect(lines.find((l) => l.event === "delivered")).toMatchObject({ bytes: 100 * 1024, frames: 11 });
      expect(lines.at(-1)).toMatchObject({
        event: "summary",
        frames: 11,
        bytes: 100 * 1024,
        groups: 4,
        reason: "done",
      });
    },
  );

  it(
    "--clock: the server closing the session ends it with the frames published so far and exit 1",
    { timeout: 60_000 },
    async () => {
      const cli = startCli(["pub", server.url, "clock-closed", "--clock", "--fps", "20", "--json"]);
      const session = await within(server.nextSession(), 30_000, "the CLI's session");
      await announcedByCli(session, "clock-closed");
      const sub = session.subscribe("clock-closed", "clock");
      const group = await within(sub.nextGroup(), 30_000, "a clock group");
      expect(await within(group!.readFrame(), 30_000, "a clock frame")).toBeDefined();
      session.closeWithError(0, "going away");
      const result = await within(cli.exited, 30_000, "pub to exit");
      expect(result.code).toBe(1);
      const lines = jsonLines(result.stdout);
      const summary = lines.find((l) => l.event === "summary");
      expect(summary).toMatchObject({ reason: "failed" });
      expect(Number(summary?.frames)).toBeGreaterThanOrEqual(1);
      expect(lines.find((l) => l.event === "error")?.message).toContain("the server closed the session");
    },
  );

  it("--file gives every subscription the whole file from the start", { timeout: 60_000 }, async () => {
    const content = randomBytes(40_000);
    const path = join(dir, "twice.bin");
    await writeFile(path, content);
    const cli = startCli([
      "pub",
      server.url,
      "twice",
      "--file",
      path,
      "--frame-bytes",
      "4096",
      "--fps",
      "50",
      "--json",
    ]);
    const session = await within(server.nextSession(), 30_000, "the CLI's session");
    await announcedByCli(session, "twice");
    const [a, b] = await Promise.all([
      readWholeTrack(session, "twice", "data"),
      readWholeTrack(session, "twice", "data"),
    ]);
    expect(Buffer.from(a.data).equals(content)).toBe(true);
    expect(Buffer.from(b.data).equals(content)).toBe(true);
    const result = await within(cli.exited, 30_000, "pub to exit");
    expect(result.code, result.stderr).toBe(0);
    const delivered = jsonLines(result.stdout).filter((l) => l.event === "delivered");
    expect(delivered.length).toBeGreaterThanOrEqual(1);
    expect(delivered[0]).toMatchObject({ bytes: 40_000, frames: 10 });
  });

  it(
    "--stdin publishes standard input once a subscriber arrives and exits 0 after it was sent",
    { timeout: 60_000 },
    async () => {
      const content = randomBytes(70_000);
      const cli = startCli(
        ["pub", server.url, "piped", "--stdin", "--track", "bytes", "--frame-bytes", "8192", "--json"],
        { stdin: content },
      );
      const session = await within(server.nextSession(), 30_000, "the CLI's session");
      await announcedByCli(session, "piped");
      const got = await readWholeTrack(session, "piped", "bytes");
      expect(Buffer.from(got.data).equals(content)).toBe(true);
      const result = await within(cli.exited, 30_000, "pub to exit");
      expect(result.code, result.stderr).toBe(0);
      expect(jsonLines(result.stdout).at(-1)).toMatchObject({
        event: "summary",
        track: "bytes",
        bytes: 70_000,
        reason: "done",
      });
    },
  );

  it("refuses a subscription to a track it does not publish", { timeout: 60_000 }, async () => {
    const cli = startCli(["pub", server.url, "only-clock", "--clock"]);
    const session = await within(server.nextSession(), 30_000, "the CLI's session");
    await announcedByCli(session, "only-clock");
    const sub = session.subscribe("only-clock", "video");
    await expect(within(sub.closed, 30_000, "the refusal")).resolves.toMatchObject({ code: 13 });
    cli.child.kill("SIGINT");
    expect((await cli.exited).code).toBe(0);
  });

  it("rejects a missing source and a missing file", { timeout: 60_000 }, async () => {
    const none = await runCli(["pub", server.url, "x"]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("choose what to publish: --clock, --file PATH or --stdin");
    const two = await runCli(["pub", server.url, "x", "--clock", "--stdin"]);
    expect(two.code).toBe(2);
    const missing = await runCli(["pub", server.url, "x", "--file", join(dir, "does-not-exist")]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("no such file");
  });
});

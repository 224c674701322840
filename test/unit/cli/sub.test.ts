// `moqscope sub` as a user runs it, against our server publishing a live broadcast.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ErrorCode } from "../../../main/moq/errors.ts";
import { BroadcastProducer } from "../../../main/moq/model/broadcast.ts";
import type { TrackProducer } from "../../../main/moq/model/track.ts";
import { writeAll } from "../fuzz/raw-peer.ts";
import { startRawServer } from "../fuzz/raw-server.ts";
import { jsonLines, killAll, runCli, startCli, startCliServer } from "./helpers.ts";
import type { CliServer } from "./helpers.ts";

const encoder = new TextEncoder();
let server: CliServer;
let timer: ReturnType<typeof setInterval> | undefined;

/** "demo" / "t": a group every 100 ms holding a text frame and a binary frame derived from its sequence. */
function publishDemo(): TrackProducer {
  const broadcast = new BroadcastProducer();
  const track = broadcast.createTrack("t");
  server.mux.publishBroadcast("demo", broadcast);
  timer = setInterval(() => {
    const group = track.openGroup();
    group.writeFrame(encoder.encode(`frame-${group.sequence}`));
    group.writeFrame(Uint8Array.of(0, 1, 2, group.sequence % 256));
    group.close();
  }, 100);
  return track;
}

beforeEach(async () => {
  server = await startCliServer();
});

afterEach(async () => {
  if (timer) clearInterval(timer);
  timer = undefined;
  killAll();
  await server.close();
});

describe("moqscope sub", () => {
  it("prints N frames as JSON with their data, then a summary, and exits 0", { timeout: 60_000 }, async () => {
    publishDemo();
    const result = await runCli(["sub", server.url, "demo", "t", "--count", "5", "--json"]);
    expect(result.code, result.stderr).toBe(0);
    const lines = jsonLines(result.stdout);
    expect(lines[0]).toMatchObject({ event: "connected", version: "moq-lite-05", transport: "webtransport-h2" });
    const frames = lines.filter((l) => l.event === "frame");
    expect(frames).toHaveLength(5);
    for (const f of frames) {
      expect(f).toMatchObject({ broadcast: "demo", track: "t" });
      const data = Buffer.from(String(f.data), "base64");
      expect(f.size).toBe(data.length);
      const group = Number(f.group);
      if (f.frame === 0) expect(data.toString("utf8")).toBe(`frame-${group}`);
      else expect([...data]).toEqual([0, 1, 2, group % 256]);
    }
    // Frames of one group arrive in order, and groups follow each other.
    const keys = frames.map((f) => Number(f.group) * 2 + Number(f.frame));
    expect(keys).toEqual([...keys].sort((a, b) => a - b));
    expect(lines.at(-1)).toMatchObject({ event: "summary", frames: 5, reason: "count" });
    // 05's TRACK_INFO, before the first frame.
    const info = lines.findIndex((l) => l.event === "track-info");
    expect(lines[info]).toMatchObject({ broadcast: "demo", track: "t", timescale: 1000, maxAgeMs: 5000, priority: 0 });
    expect(info).toBeLessThan(lines.findIndex((l) => l.event === "frame"));
  });

  it("prints frames for people: group, index, size and a text or hex preview", { timeout: 60_000 }, async () => {
    publishDemo();
    const result = await runCli(["sub", server.url, "demo", "t", "--count", "2"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^group (\d+) frame 0 {2}\d+ bytes {2}"frame-\1"$/m);
    expect(result.stdout).toMatch(/^group \d+ frame 1 {2}4 bytes {2}00 01 02 [0-9a-f]{2}$/m);
    expect(result.stdout).toMatch(/2 frames, .* \(--count reached\)/);
  });

  it("exits 0 with a summary when the publisher ends the track", { timeout: 60_000 }, async () => {
    server.mux.publish("finite", (writer) => {
      for (let g = 0; g < 2; g++) {
        const group = writer.openGroup();
        group.writeFrame(encoder.encode(`g${g}`));
        group.close();
      }
      writer.close();
    });
    const result = await runCli(["sub", server.url, "finite", "x", "--json"]);
    expect(result.code, result.stderr).toBe(0);
    const lines = jsonLines(result.stdout);
    const data = lines.filter((l) => l.event === "frame").map((l) => Buffer.from(String(l.data), "base64").toString());
    expect(data).toEqual(["g0", "g1"]);
    expect(lines.at(-1)).toMatchObject({ event: "summary", frames: 2, groups: 2, reason: "end" });
  });

  it("says a broadcast is not announced, lists what is, and exits 1", { timeout: 60_000 }, async () => {
    publishDemo();
    server.mux.publishBroadcast("other/thing", new BroadcastProducer());
    const result = await runCli(["sub", server.url, "nope", "t"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`broadcast "nope" is not announced on ${server.url}`);
    expect(result.stderr).toContain(`"demo"`);
    expect(result.stderr).toContain(`"other/thing"`);
  });

  it("explains a refused track (reset 13) and exits 1", { timeout: 60_000 }, async () => {
    publishDemo();
    const result = await runCli(["sub", server.url, "demo", "missing", "--json"]);
    expect(result.code).toBe(1);
    const error = jsonLines(result.stdout).find((l) => l.event === "error");
    expect(error).toMatchObject({ code: 13 });
    expect(String(error?.message)).toContain("the publisher has no such track/broadcast");
  });

  it("traces session events with --trace", { timeout: 60_000 }, async () => {
    publishDemo();
    const result = await runCli(["sub", server.url, "demo", "t", "--count", "1", "--trace"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/#\d+ opened bidi subscribe \(by us\)/);
    expect(result.stdout).toMatch(/#\d+ → SUBSCRIBE id=0 broadcast="demo" track="t"/);
    expect(result.stdout).toMatch(/#\d+ ← TRACK_INFO/);
    expect(result.stdout).toMatch(/#\d+ ← SUBSCRIBE_START/);
    expect(result.stdout).toMatch(/#\d+ ← frame \d+\.0 {2}\d+ B/);
  });

  it("works over WebSocket too, with --protocol choosing the version", { timeout: 60_000 }, async () => {
    publishDemo();
    const result = await runCli(["sub", server.ws, "demo", "t", "--count", "2", "--json", "--protocol", "moq-lite-03"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe("");
    const lines = jsonLines(result.stdout);
    expect(lines[0]).toMatchObject({ event: "connected", version: "moq-lite-03", transport: "websocket" });
    expect(lines.filter((l) => l.event === "frame")).toHaveLength(2);
  });

  it(
    "still takes --version V after the command, with a one-line notice that it is deprecated",
    { timeout: 60_000 },
    async () => {
      publishDemo();
      const result = await runCli([
        "sub",
        server.ws,
        "demo",
        "t",
        "--count",
        "1",
        "--json",
        "--version",
        "moq-lite-03",
      ]);
      expect(result.code, result.stderr).toBe(0);
      expect(jsonLines(result.stdout)[0]).toMatchObject({ event: "connected", version: "moq-lite-03" });
      expect(result.stderr.trimEnd().split("\n")).toEqual([
        "moqscope: --version after a command is deprecated: use --protocol moq-lite-03 (moqscope --version prints the program's version)",
      ]);
    },
  );

  it("exits 0 with a summary on Ctrl-C", { timeout: 60_000 }, async () => {
    publishDemo();
    const cli = startCli(["sub", server.url, "demo", "t"]);
    await cli.line((l) => l.startsWith("group "), "a frame");
    cli.child.kill("SIGINT");
    const result = await cli.exited;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/\d+ frames?, .* over .* \(interrupted\)/);
  });

  it("ends on SIGTERM the same way, with a JSON summary", { timeout: 60_000 }, async () => {
    publishDemo();
    const cli = startCli(["sub", server.url, "demo", "t", "--json"]);
    await cli.line((l) => l.includes('"event":"frame"'), "a frame");
    cli.child.kill("SIGTERM");
    const result = await cli.exited;
    expect(result.code, result.stderr).toBe(0);
    expect(jsonLines(result.stdout).at(-1)).toMatchObject({ event: "summary", reason: "interrupted" });
  });
});

describe("moqscope sub against a peer that resets our streams", () => {
  it(
    "a refused subscription while the announce stream was reset names both codes, not a missing broadcast",
    { timeout: 60_000 },
    async () => {
      const raw = await startRawServer();
      raw.script = async (conn) => {
        for (;;) {
          const req = await conn.nextRequest();
          const code = ErrorCode.NotFound;
          void writeAll(req.writable, [], false).then((writer) =>
            writer.abort(conn.transport.streamError(code)).catch(() => {}),
          );
        }
      };
      try {
        const result = await runCli(["sub", raw.ws, "demo", "t"]);
        expect(result.code).toBe(1);
        const lines = result.stderr.trimEnd().split("\n");
        expect(lines).toHaveLength(1);
        expect(lines[0]).toContain('subscription to "demo" track "t" was refused: 13 NotFound');
        expect(lines[0]).toContain("the server reset the announce stream with 13 NotFound");
        expect(lines[0]).not.toContain("is not announced");
      } finally {
        await raw.close();
      }
    },
  );
});

// Our client through the real moq-relay (Rust, `cargo install moq-relay`, 0.17.x) over WebSocket/
// QMux on 127.0.0.1: publish and subscribe on moq-lite-05, -04 and -03, mixed, with timestamps on
// 05 and the relay's hop in the announcements. Runs where a `moq-relay` binary is found (PATH, or
// ~/.cargo/bin, or MOQ_RELAY_BIN) and says why it skipped elsewhere.

import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { homedir } from "node:os";
import { delimiter, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BroadcastProducer } from "../../main/moq/model/broadcast.ts";
import type { Session } from "../../main/moq/lite/session/session.ts";
import type { Version } from "../../main/moq/lite/wire/version.ts";
import { connect } from "../../main/moq/node.ts";
import { within } from "../helpers/wait.ts";
import { until } from "./fixtures.ts";

const T = 15_000;

function findBinary(): string | undefined {
  const explicit = process.env["MOQ_RELAY_BIN"];
  if (explicit) return existsSync(explicit) ? explicit : undefined;
  const dirs = [...(process.env["PATH"] ?? "").split(delimiter), join(homedir(), ".cargo", "bin")];
  return dirs.map((d) => join(d, "moq-relay")).find((p) => existsSync(p));
}

const BIN = findBinary();
if (!BIN) {
  console.log(
    "moq-relay interop skipped: no moq-relay binary on PATH, in ~/.cargo/bin or at MOQ_RELAY_BIN (`cargo install moq-relay` builds one)",
  );
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe.skipIf(!BIN)("through moq-relay (Rust)", () => {
  let relay: ChildProcess | undefined;
  let url = "";
  let output = "";
  const sessions: Session[] = [];

  beforeAll(async () => {
    const [quic, http] = [await freePort(), await freePort()];
    relay = spawn(
      BIN!,
      [
        "--listen",
        `127.0.0.1:${quic}`,
        "--listen-tls-generate",
        "localhost",
        "--web-http-listen",
        `127.0.0.1:${http}`,
        "--auth-public",
        "**",
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    relay.stdout!.on("data", (d: Buffer) => (output += d.toString()));
    relay.stderr!.on("data", (d: Buffer) => (output += d.toString()));
    await until(() => /listening.*kind.*http/.test(output.replace(/\x1b\[[0-9;]*m/g, "")), T, "moq-relay to listen");
    url = `ws://127.0.0.1:${http}/`;
  }, T);

  afterAll(() => {
    for (const s of sessions) s.close();
    relay?.kill();
  });

  async function client(version: Version): Promise<Session> {
    const s = await connect(url, { versions: [version], legacy: false, transport: "websocket", timeoutMs: 10_000 });
    sessions.push(s);
    return s;
  }

  const cases: [Version, Version][] = [
    ["moq-lite-05", "moq-lite-05"],
    ["moq-lite-05", "moq-lite-03"],
    ["moq-lite-04", "moq-lite-05"],
    ["moq-lite-04", "moq-lite-04"],
  ];

  it.each(cases)("a %s publisher reaches a %s subscriber", async (pv, sv) => {
    const publisher = await client(pv);
    const viewer = await client(sv);
    expect([publisher.version, viewer.version]).toEqual([pv, sv]);
    const name = `interop/${pv.slice(-2)}-${sv.slice(-2)}`;
    const broadcast = new BroadcastProducer();
    const track = broadcast.createTrack("data", { timescale: 1000, maxPendingGroups: 64 });
    publisher.mux.publishBroadcast(name, broadcast);

    const reader = viewer.announced("interop");
    const change = await within(
      (async () => {
        for (;;) {
          const c = await reader.next();
          if (!c || (c.path === name && c.active)) return c;
        }
      })(),
      T,
      "the announcement",
    );
    expect(change).toMatchObject({ path: name, active: true });
    // 04 and 05 carry hop ids: the relay's own is in the chain.
    if (sv !== "moq-lite-03") expect(change!.hops.length).toBeGreaterThan(0);

    const sub = viewer.subscribe(name, "data");
    await until(() => track.consumerCount > 0, T, "moq-relay's upstream subscription");
    const got: [string, number][] = [];
    for (let g = 0; g < 3; g++) {
      const group = track.openGroup();
      group.writeFrame(new TextEncoder().encode(`frame ${g}`), 1_000_000 + g * 40);
      group.close();
      const arrived = await within(sub.nextGroup(), T, `group ${g}`);
      for (let f; (f = await arrived!.readFrame()) !== undefined;) {
        got.push([new TextDecoder().decode(f), arrived!.lastTimestamp]);
      }
    }
    expect(got.map(([text]) => text)).toEqual(["frame 0", "frame 1", "frame 2"]);
    // Timestamps cross moq-relay intact when both ends speak 05.
    if (pv === "moq-lite-05" && sv === "moq-lite-05") {
      expect(got.map(([, ts]) => ts)).toEqual([1_000_000, 1_000_040, 1_000_080]);
    }
    broadcast.close();
  });
});

// `moqscope pub --datagrams` and `moqscope sub` through our relay over WebTransport on HTTP/3:
// every clock tick a group of its own in a QUIC datagram, and the subscriber says which groups
// came that way. Runs where the HTTP/3 native part loads and says why it skipped elsewhere.

process.env.MOQSCOPE_HTTP3 = "1"; // test/setup.ts turns HTTP/3 off; the CLI children inherit this

import { afterEach, describe, expect, it } from "vitest";
import { Relay } from "../../../main/moq/relay/relay.ts";
import { loadHttp3 } from "../../../main/moq/transport/h3/load.ts";
import { jsonLines, killAll, runCli, startCli } from "./helpers.ts";

const h3 = loadHttp3();
if (!h3.available) console.log(`pub --datagrams over HTTP/3 skipped: ${h3.reason}`);

let relay: Relay | undefined;
afterEach(async () => {
  killAll();
  await relay?.close();
  relay = undefined;
});

describe("moqscope pub --datagrams", () => {
  it.runIf(h3.available)(
    "sends clock ticks as datagram groups that sub receives and marks",
    { timeout: 60_000 },
    async () => {
      relay = await Relay.start({});
      const url = `https://127.0.0.1:${relay.port}/`;
      const secure = ["--fingerprint", relay.fingerprint];
      const pub = startCli(["pub", url, "ticks", "--clock", "--fps", "10", "--datagrams", "--json", ...secure]);
      await pub.line((l) => l.includes('"event":"connected"'), "the publisher's connection");
      const sub = await runCli(["sub", url, "ticks", "clock", "--count", "3", "--json", ...secure]);
      expect(sub.code, sub.stderr).toBe(0);
      const lines = jsonLines(sub.stdout);
      expect(lines[0]).toMatchObject({ event: "connected", transport: "webtransport-h3" });
      const frames = lines.filter((l) => l.event === "frame");
      expect(frames).toHaveLength(3);
      for (const f of frames) expect(f).toMatchObject({ frame: 0, datagram: true });
      // One tick per group: consecutive sequences.
      const groups = frames.map((f) => f.group as number);
      expect(groups[1]! - groups[0]!).toBe(1);
    },
  );

  it("refuses --datagrams with --file or --group-frames", async () => {
    const file = await runCli(["pub", "ws://127.0.0.1:1/", "b", "--file", "x", "--datagrams"]);
    expect(file.code).toBe(2);
    expect(file.stderr).toContain("--datagrams and --file do not go together");
    const grouped = await runCli(["pub", "ws://127.0.0.1:1/", "b", "--clock", "--datagrams", "--group-frames", "5"]);
    expect(grouped.code).toBe(2);
    expect(grouped.stderr).toContain("leave out --group-frames");
  });
});

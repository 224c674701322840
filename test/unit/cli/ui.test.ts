import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import type { ServerMessage, TreeNode } from "../../../main/ipc/contract.ts";
import { findRendererDir } from "../../../main/cli/commands/ui.ts";
import { within } from "../../helpers/wait.ts";
import { killAll, runCli, startCli } from "./helpers.ts";

let configDir: string;

beforeAll(async () => {
  configDir = await mkdtemp(join(tmpdir(), "moqscope-ui-"));
});
afterEach(() => killAll());
afterAll(async () => {
  await rm(configDir, { recursive: true, force: true });
});

describe("moqscope ui", () => {
  it("finds the built renderer (npm run build makes it)", () => {
    expect(findRendererDir()).toMatch(/out[\\/]renderer$/);
  });

  it("serves the UI and the demo over the printed URL, and stops cleanly on Ctrl-C", async () => {
    const cli = startCli(["ui", "--no-open", "--config-dir", configDir]);
    const line = await cli.line((l) => l.startsWith("moqscope ui: open "), "the URL");
    const url = new URL(line.slice("moqscope ui: open ".length));
    expect(url.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const token = url.searchParams.get("token")!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);

    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(page.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(await page.text()).toContain('<div id="app">');
    const bare = await fetch(url.origin);
    expect(bare.status).toBe(403);

    const ws = new WebSocket(`ws://${url.host}/api?token=${token}`, { origin: url.origin });
    const messages: ServerMessage[] = [];
    const waiters = new Set<() => void>();
    ws.on("message", (data) => {
      const message = JSON.parse(String(data)) as ServerMessage;
      messages.push(message);
      if (message.type === "update")
        ws.send(JSON.stringify({ type: "ack", watchId: message.watchId, seq: message.update.seq }));
      for (const waiter of [...waiters]) waiter();
    });
    const until = (test: () => boolean, what: string) =>
      within(
        new Promise<void>((resolve) => {
          const check = () => {
            if (!test()) return;
            waiters.delete(check);
            resolve();
          };
          waiters.add(check);
          check();
        }),
        20_000,
        what,
      );
    await within(new Promise((resolve) => ws.once("open", resolve)), 10_000, "the WebSocket to open");

    ws.send(JSON.stringify({ type: "invoke", id: 1, channel: "app:info", args: [] }));
    await until(() => messages.some((m) => m.type === "result" && m.id === 1), "app:info's answer");
    expect(messages.find((m) => m.type === "result" && m.id === 1)).toMatchObject({
      ok: true,
      value: { host: "browser", configDir },
    });

    // The embedded demo: the default connection's tree shows the demo broadcasts.
    ws.send(JSON.stringify({ type: "watch", watchId: 2, view: "tree", params: { connectionId: "default" } }));
    const tree = new Map<string, TreeNode>();
    await until(() => {
      for (const m of messages.splice(0)) {
        if (m.type !== "update" || m.watchId !== 2) continue;
        const update = m.update as { kind: string; items?: TreeNode[]; upsert?: TreeNode[]; remove?: string[] };
        if (update.kind === "snapshot") tree.clear();
        for (const node of update.items ?? update.upsert ?? []) tree.set(node.key, node);
        for (const key of update.remove ?? []) tree.delete(key);
      }
      return tree.get("demo/clock")?.active === true;
    }, "demo/clock in the announcement tree");
    ws.close();

    cli.child.kill("SIGINT");
    const result = await within(cli.exited, 20_000, "moqscope ui to stop after Ctrl-C");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("moqscope ui stopped");
  });

  it("warns when bound to an address other than loopback, and prints JSON with --json", async () => {
    const cli = startCli(["ui", "--no-open", "--json", "--bind", "0.0.0.0", "--config-dir", configDir]);
    const line = await cli.line((l) => l.includes('"event":"ready"'), "the ready line");
    expect(JSON.parse(line)).toMatchObject({
      event: "ready",
      url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/\?token=/) as unknown,
    });
    cli.child.kill("SIGINT");
    const result = await within(cli.exited, 20_000, "moqscope ui to stop");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('"event":"warning"');
    expect(result.stdout).toContain("can be reached from other machines");
  });

  it("refuses bad options with a usage error", async () => {
    const port = await runCli(["ui", "--port", "70000"]);
    expect(port.code).toBe(2);
    expect(port.stderr).toContain("--port must be an integer from 0 to 65535");
    const transport = await runCli(["ui", "--transport", "websocket"]);
    expect(transport.code).toBe(2);
    expect(transport.stderr).toContain("--transport is not used by ui");
    const help = await runCli(["ui", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("moqscope ui [--port P]");
  });
});

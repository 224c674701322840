// How `moqscope` fails: actionable messages, exit 1 for runtime failures, 2 for usage errors.

import { afterEach, describe, expect, it } from "vitest";
import { listen } from "../../../main/moq/transport/listener.ts";
import { closedPort, jsonLines, killAll, runCli } from "./helpers.ts";

afterEach(() => killAll());

describe("moqscope failures", () => {
  it("a URL without a scheme: exit 1, with the fix", { timeout: 60_000 }, async () => {
    const result = await runCli(["sub", "127.0.0.1:4443/anon", "demo", "clock"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('not a valid URL: "127.0.0.1:4443/anon"');
    expect(result.stderr).toContain("try http://127.0.0.1:4443/anon");
  });

  it("an unsupported scheme: exit 1, naming the valid ones", { timeout: 60_000 }, async () => {
    const result = await runCli(["inspect", "ftp://127.0.0.1/", "--json"]);
    expect(result.code).toBe(1);
    const error = jsonLines(result.stdout).find((l) => l.event === "error");
    expect(String(error?.message)).toMatch(/unsupported URL scheme "ftp".*use http, https, ws or wss/);
  });

  it("a port nobody listens on: exit 1, saying the connection was refused", { timeout: 60_000 }, async () => {
    const port = await closedPort();
    for (const url of [`http://127.0.0.1:${port}/`, `ws://127.0.0.1:${port}/`]) {
      const result = await runCli(["probe", url]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`connection refused by 127.0.0.1:${port}`);
      expect(result.stderr).toContain("Is the server running");
    }
  });

  it("a version the server refuses: exit 1, suggesting --version", { timeout: 60_000 }, async () => {
    const only03 = await listen({ versions: ["moq-lite-03"], legacy: false, http3: false, onSession: (t) => t.session.close() });
    try {
      const result = await runCli(["probe", `ws://127.0.0.1:${only03.port}/`, "--version", "moq-lite-04"]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("does not speak moq-lite-04");
      expect(result.stderr).toContain("try --version auto");
    } finally {
      await only03.close();
    }
  });

  it("an unknown flag: exit 2 with the command's usage line", { timeout: 60_000 }, async () => {
    const result = await runCli(["sub", "http://127.0.0.1:1/", "b", "t", "--colour"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown option --colour for "moqscope sub"');
    expect(result.stderr).toContain("usage: moqscope sub URL BROADCAST TRACK");
  });

  it("bad numbers name the flag: exit 2", { timeout: 60_000 }, async () => {
    const cases: Array<[string[], string]> = [
      [["sub", "http://h/", "b", "t", "--count", "0"], '--count must be a positive integer (got "0")'],
      [["sub", "http://h/", "b", "t", "--count", "2.5"], '--count must be a positive integer (got "2.5")'],
      [["pub", "http://h/", "b", "--clock", "--fps", "fast"], '--fps must be a positive number (got "fast")'],
      [["pub", "http://h/", "b", "--file", "x", "--frame-bytes", "-3"], "--frame-bytes needs a value"],
      [["probe", "http://h/", "--bitrate", "lots"], "--bitrate must be a positive bitrate"],
      [["inspect", "http://h/", "--duration", "0"], '--duration must be a positive number (got "0")'],
      [["sub", "http://h/", "b", "t", "--version", "moq-lite-09"], "--version must be one of auto, moq-lite-04, moq-lite-03, legacy"],
      [["sub", "http://h/", "b", "t", "--transport", "carrier-pigeon"], "--transport must be one of auto, webtransport, websocket"],
      [["sub", "http://h/", "b", "t", "--fingerprint", "abc"], "--fingerprint: invalid certificate fingerprint"],
    ];
    for (const [args, message] of cases) {
      const result = await runCli(args);
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stderr, args.join(" ")).toContain(message);
    }
  });

  it("missing arguments and unknown commands: exit 2", { timeout: 60_000 }, async () => {
    const missing = await runCli(["sub", "http://h/"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("missing BROADCAST TRACK");
    const unknown = await runCli(["subscribe", "http://h/"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "subscribe"; commands: sub, pub, inspect, probe');
    const none = await runCli([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("Usage: moqscope COMMAND");
  });

  it("--help for the program and for each command: exit 0", { timeout: 60_000 }, async () => {
    const top = await runCli(["--help"]);
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/^ {2}sub +subscribe to a track/m);
    for (const command of ["sub", "pub", "inspect", "probe"]) {
      const help = await runCli([command, "--help"]);
      expect(help.code, command).toBe(0);
      expect(help.stdout).toContain(`Usage: moqscope ${command} URL`);
      expect(help.stdout).toContain("--fingerprint HEX");
    }
  });
});

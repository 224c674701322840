// How `moqscope` fails: actionable messages, exit 1 for runtime failures, 2 for usage errors.

import http from "node:http";
import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { listen } from "../../../main/moq/transport/listener.ts";
import { closedPort, killAll, runCli } from "./helpers.ts";

afterEach(() => killAll());

describe("moqscope failures", () => {
  it("a URL without a scheme: exit 2 (a usage error), with the fix", { timeout: 60_000 }, async () => {
    const result = await runCli(["sub", "127.0.0.1:4443/anon", "demo", "clock"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('not a valid URL: "127.0.0.1:4443/anon"');
    expect(result.stderr).toContain("try http://127.0.0.1:4443/anon");
    expect(result.stderr).toContain("usage: moqscope sub URL BROADCAST TRACK");
  });

  it("an unsupported scheme: exit 2, naming the valid ones", { timeout: 60_000 }, async () => {
    const result = await runCli(["inspect", "ftp://127.0.0.1/", "--json"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unsupported URL scheme "ftp".*use http, https, ws or wss/);
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

  it("a version the server refuses: exit 1, suggesting --protocol", { timeout: 60_000 }, async () => {
    const only03 = await listen({
      versions: ["moq-lite-03"],
      legacy: false,
      http3: false,
      onSession: (t) => t.session.close(),
    });
    try {
      const result = await runCli(["probe", `ws://127.0.0.1:${only03.port}/`, "--protocol", "moq-lite-04"]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("does not speak moq-lite-04");
      expect(result.stderr).toContain("try --protocol auto");
      const legacy = await runCli(["probe", `ws://127.0.0.1:${only03.port}/`, "--protocol", "legacy"]);
      expect(legacy.code).toBe(1);
      expect(legacy.stderr).toContain("does not speak moq-lite-01/02 (negotiated through SETUP)");
      expect(legacy.stderr).not.toContain("(no version)");
    } finally {
      await only03.close();
    }
  });

  it(
    "a web server that is not moq-lite: one line with the HTTP status, never its page",
    { timeout: 60_000 },
    async () => {
      const page = [
        "<!DOCTYPE html>",
        "<html>",
        "<head>",
        "  <title>Welcome to nginx!</title>",
        "</head>",
        "<body>",
        "<h1>Welcome</h1>",
        "<p>It works.</p>",
        "</body>",
        "</html>",
        "",
      ].join("\n");
      const web = http.createServer((_req, res) => {
        res.writeHead(200, { "content-type": "text/html" });
        res.end(page);
      });
      await new Promise<void>((resolve) => web.listen(0, "127.0.0.1", resolve));
      const port = (web.address() as net.AddressInfo).port;
      try {
        for (const url of [`ws://127.0.0.1:${port}/`, `http://127.0.0.1:${port}/`]) {
          const result = await runCli(["sub", url, "demo", "clock"]);
          expect(result.code, url).toBe(1);
          const lines = result.stderr.trimEnd().split("\n");
          expect(lines, url).toHaveLength(1);
          expect(lines[0], url).toContain("HTTP 200");
          expect(lines[0], url).not.toMatch(/[<>]/);
          expect(lines[0]!.length, url).toBeLessThan(600);
        }
      } finally {
        web.closeAllConnections();
        await new Promise<void>((resolve) => web.close(() => resolve()));
      }
    },
  );

  it(
    "a server without TLS behind an http:// URL: no advice to use the http:// URL it already is",
    { timeout: 60_000 },
    async () => {
      const sockets = new Set<net.Socket>();
      const plain = net.createServer((socket) => {
        sockets.add(socket);
        socket.on("error", () => {});
        socket.end("HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n");
      });
      await new Promise<void>((resolve) => plain.listen(0, "127.0.0.1", resolve));
      const port = (plain.address() as net.AddressInfo).port;
      try {
        const result = await runCli(["probe", `http://127.0.0.1:${port}/`, "--fingerprint", "ab".repeat(32)]);
        expect(result.code).toBe(1);
        expect(result.stderr).toContain("did not answer with TLS");
        expect(result.stderr).not.toContain("try a ws:// or http:// URL");
        const secure = await runCli([
          "probe",
          `https://127.0.0.1:${port}/`,
          "--fingerprint",
          "ab".repeat(32),
          "--transport",
          "websocket",
        ]);
        expect(secure.code).toBe(1);
        expect(secure.stderr).toContain(`if it serves without TLS, use ws://127.0.0.1:${port}/`);
      } finally {
        for (const socket of sockets) socket.destroy();
        await new Promise<void>((resolve) => plain.close(() => resolve()));
      }
    },
  );

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
      [
        ["sub", "http://h/", "b", "t", "--protocol", "moq-lite-09"],
        "--protocol must be one of auto, moq-lite-06, moq-lite-05, moq-lite-04, moq-lite-03, legacy",
      ],
      [
        ["sub", "http://h/", "b", "t", "--transport", "carrier-pigeon"],
        "--transport must be one of auto, webtransport, webtransport-h3, webtransport-h2, websocket",
      ],
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
      expect(help.stdout).toMatch(/^ {2}--protocol P +moq-lite version/m);
      expect(help.stdout).not.toMatch(/^ {2}--version/m);
    }
    const version = await runCli(["--version"]);
    expect(version.code).toBe(0);
    expect(version.stdout).toMatch(/^moqscope \d+\.\d+\.\d+/);
  });

  it(
    "--version after a command without a value points to --protocol and to the program's version: exit 2",
    { timeout: 60_000 },
    async () => {
      const result = await runCli(["sub", "http://h/", "b", "t", "--version"]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(
        "--version after a command takes a protocol, and is deprecated: use --protocol P; for the program's version run moqscope --version",
      );
    },
  );
});

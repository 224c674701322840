// Our WebSocket side against @moq/qmux used the way its README shows: its own client dialling our
// listener, and our client dialling a server built from its selectSubprotocol + Session.accept.

import Session, { selectSubprotocol as referenceSelect } from "@moq/qmux";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket, { WebSocketServer } from "ws";
import { selectSubprotocol } from "../../../main/moq/transport/alpn.ts";
import { connectWebSocket } from "../../../main/moq/transport/qmux-client.ts";
import { nextOf, readAll, startServer, str, text, type TestServer } from "./helpers.ts";

// @moq/qmux dials through the global WebSocket, which Node 20 lacks.
(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server.close();
});

it("chooses the same subprotocol as @moq/qmux for the same offers", () => {
  const versions = ["moq-lite-04", "moq-lite-03"];
  const reference = {
    protocols: versions,
    versions: { "moq-lite-04": null, "moq-lite-03": null },
    requireProtocol: true,
  };
  for (const offered of [
    "qmux-02.moq-lite-04, qmux-01.moq-lite-04, qmux-00.moq-lite-04",
    "qmux-00.moq-lite-03, qmux-01.moq-lite-04",
    "qmux-01.moq-lite-03",
    "qmux-00, webtransport",
  ]) {
    expect(selectSubprotocol(offered, { versions })).toBe(referenceSelect(offered, reference));
  }
});

describe("@moq/qmux client → our listener", () => {
  it("negotiates moq-lite-04 and exchanges a stream", async () => {
    const accepted = server.next();
    const client = new Session(`ws://127.0.0.1:${server.port}/ref?jwt=t`, {
      protocols: ["moq-lite-04"],
      versions: { "moq-lite-04": null },
      requireProtocol: true,
    });
    await client.ready;
    expect(client.protocol).toBe("moq-lite-04");
    const { transport, request } = await accepted;
    expect(request.url.searchParams.get("jwt")).toBe("t");
    expect(transport.session.protocol).toBe("moq-lite-04");

    const bidi = await client.createBidirectionalStream();
    const w = bidi.writable.getWriter();
    await w.write(text("hi"));
    await w.close();
    const incoming = await nextOf(transport.session.incomingBidirectionalStreams);
    expect(str(await readAll(incoming.readable))).toBe("hi");
    client.close();
  });
});

describe("our client → @moq/qmux reference server", () => {
  let wss: WebSocketServer;
  let port = 0;
  const sessions: Session[] = [];
  beforeAll(async () => {
    wss = new WebSocketServer({
      host: "127.0.0.1",
      port: 0,
      handleProtocols: (offered) =>
        referenceSelect([...offered], {
          protocols: ["moq-lite-03"],
          versions: { "moq-lite-03": null },
          requireProtocol: true,
        }) ?? false,
    });
    wss.on("connection", (ws) => {
      const s = Session.accept(ws as never);
      sessions.push(s);
      // Echo every bidirectional stream.
      void (async () => {
        const reader = s.incomingBidirectionalStreams.getReader();
        for (;;) {
          const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
          if (done || !value) return;
          void value.readable.pipeTo(value.writable).catch(() => {});
        }
      })();
    });
    await new Promise<void>((r) => wss.once("listening", r));
    port = (wss.address() as { port: number }).port;
  });
  afterAll(() => {
    for (const s of sessions) s.close();
    wss.close();
  });

  it("lands on the server's only version and echoes", async () => {
    const t = await connectWebSocket(new URL(`ws://127.0.0.1:${port}/`), { versions: ["moq-lite-04", "moq-lite-03"] });
    expect(t.session.protocol).toBe("moq-lite-03");
    expect(t.info.negotiated).toBe("qmux-02.moq-lite-03");
    const bidi = await t.session.createBidirectionalStream();
    const back = readAll(bidi.readable);
    const w = bidi.writable.getWriter();
    await w.write(text("echo me"));
    await w.close();
    expect(str(await back)).toBe("echo me");
    t.session.close();
    t.dispose();
  });

  it("reports a refused version with what was offered", async () => {
    await expect(
      connectWebSocket(new URL(`ws://127.0.0.1:${port}/`), { versions: ["moq-lite-04"], timeoutMs: 5000 }),
    ).rejects.toThrow(/does not speak moq-lite-04 over WebSocket \(offered qmux-02\.moq-lite-04/);
  });
});

import { describe, expect, it } from "vitest";
import type { ClientMessage, HostHandlers, ServerMessage } from "../../../main/ipc/contract.ts";
import { serveClient, type ClientLink, type HostOptions } from "../../../main/ipc/host.ts";
import { APP_INFO, testServices, treeNode } from "./services.ts";

/** Both ends of an in-memory link; messages are structured-cloned as a MessagePort would. */
function connect(options: Partial<HostOptions> = {}) {
  const services = testServices();
  const received: ServerMessage[] = [];
  const waiters: { match: (m: ServerMessage) => boolean; resolve: (m: ServerMessage) => void }[] = [];
  let deliver: (message: unknown) => void = () => {};
  let closeLink: () => void = () => {};
  const cameraCalls: boolean[] = [];
  const hostHandlers: HostHandlers = { "camera:allow": ({ allowed }) => void cameraCalls.push(allowed) };
  const link: ClientLink = {
    send(message) {
      const copy = structuredClone(message);
      received.push(copy);
      for (const waiter of [...waiters]) {
        if (waiter.match(copy)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(copy);
        }
      }
    },
    onMessage: (listener) => void (deliver = listener),
    onClose: (listener) => void (closeLink = listener),
  };
  const client = serveClient(services, link, { hostHandlers, feed: { intervalMs: 10 }, ...options });
  return {
    services,
    client,
    received,
    cameraCalls,
    send: (message: ClientMessage | unknown) => deliver(structuredClone(message)),
    close: () => closeLink(),
    /** The first message (already received or still to come) that matches. */
    next(match: (m: ServerMessage) => boolean): Promise<ServerMessage> {
      const found = received.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve) => waiters.push({ match, resolve }));
    },
  };
}

const resultOf = (id: number) => (m: ServerMessage) => m.type === "result" && m.id === id;

describe("host", () => {
  it("answers a request with its handler's value", async () => {
    const c = connect();
    c.send({ type: "invoke", id: 1, channel: "app:info", args: [] });
    expect(await c.next(resultOf(1))).toEqual({ type: "result", id: 1, ok: true, value: APP_INFO });
  });

  it("answers host channels itself", async () => {
    const c = connect();
    c.send({ type: "invoke", id: 4, channel: "camera:allow", args: [{ allowed: true }] });
    expect(await c.next(resultOf(4))).toEqual({ type: "result", id: 4, ok: true, value: null });
    expect(c.cameraCalls).toEqual([true]);
  });

  it("turns a handler's error into its message, without a stack", async () => {
    const c = connect();
    c.send({ type: "invoke", id: 2, channel: "connection:close", args: [{ connectionId: "gone" }] });
    const answer = await c.next(resultOf(2));
    expect(answer).toEqual({ type: "result", id: 2, ok: false, error: 'no connection "gone"' });
  });

  it("refuses invalid requests by id with the validator's message", async () => {
    const c = connect();
    c.send({
      type: "invoke",
      id: 3,
      channel: "track:subscribe",
      args: [{ connectionId: "c", broadcast: "", track: "t" }],
    });
    c.send({ type: "invoke", id: 5, channel: "__proto__", args: [] });
    c.send({ type: "invoke", id: 6, channel: "app:info", args: {} });
    expect(await c.next(resultOf(3))).toEqual({
      type: "result",
      id: 3,
      ok: false,
      error: "track:subscribe request.broadcast: must be 1 to 1024 characters",
    });
    expect(await c.next(resultOf(5))).toMatchObject({
      ok: false,
      error: '"__proto__" is not a request channel of moqscope',
    });
    expect(await c.next(resultOf(6))).toMatchObject({
      ok: false,
      error: "message.args: must be an array (got object)",
    });
  });

  it("answers garbage with an error message and keeps serving", async () => {
    const c = connect();
    for (const garbage of [
      null,
      42,
      "hello",
      [],
      { type: "invoke" },
      { type: "rm -rf" },
      { type: "watch", watchId: "x" },
    ]) {
      c.send(garbage);
    }
    c.send({ type: "invoke", id: 9, channel: "app:info", args: [] });
    await c.next(resultOf(9));
    const errors = c.received.filter((m) => m.type === "error");
    expect(errors).toHaveLength(7);
    expect(errors[0]).toEqual({ type: "error", error: "message: must be an object (got null)" });
  });

  it("feeds a watched view: snapshot, coalesced deltas on ack, silence after unwatch", async () => {
    const c = connect();
    const tree = c.services.trees.get("default")!;
    tree.set(treeNode("demo"));
    c.send({ type: "watch", watchId: 10, view: "tree", params: { connectionId: "default" } });
    expect(await c.next((m) => m.type === "update" && m.update.seq === 1)).toEqual({
      type: "update",
      watchId: 10,
      update: { seq: 1, kind: "snapshot", items: [treeNode("demo")] },
    });
    c.send({ type: "ack", watchId: 10, seq: 1 });
    for (let i = 0; i < 100; i++) tree.set(treeNode("demo/clock", i));
    expect(await c.next((m) => m.type === "update" && m.update.seq === 2)).toEqual({
      type: "update",
      watchId: 10,
      update: { seq: 2, kind: "delta", upsert: [treeNode("demo/clock", 99)], remove: [] },
    });
    expect(c.client.watchCount).toBe(1);
    c.send({ type: "unwatch", watchId: 10 });
    expect(c.client.watchCount).toBe(0);
    expect(c.services.opened).toEqual({ count: 1, closed: 1 });
  });

  it("refuses bad watches with watch-error", async () => {
    const c = connect({ maxWatches: 2 });
    c.send({ type: "watch", watchId: 1, view: "nope", params: {} });
    c.send({ type: "watch", watchId: 2, view: "tree", params: { connectionId: "closed-one" } });
    c.send({ type: "watch", watchId: 3, view: "tree", params: { connectionId: "default", x: 1 } });
    c.send({ type: "watch", watchId: 4, view: "connections", params: {} });
    c.send({ type: "watch", watchId: 4, view: "connections", params: {} });
    c.send({ type: "watch", watchId: 5, view: "tree", params: { connectionId: "default" } });
    c.send({ type: "watch", watchId: 6, view: "connections", params: {} });
    const errorOf = async (watchId: number) =>
      ((await c.next((m) => m.type === "watch-error" && m.watchId === watchId)) as { error: string }).error;
    expect(await errorOf(1)).toBe('"nope" is not a view of moqscope');
    expect(await errorOf(2)).toBe('no connection "closed-one": it was closed');
    expect(await errorOf(3)).toBe('tree params: has unknown field "x"');
    expect(await errorOf(4)).toBe("watch id 4 is already in use");
    expect(await errorOf(6)).toBe("too many open views (at most 2): close some first");
    expect(c.client.watchCount).toBe(2);
  });

  it("closes every watch when the link closes and ignores what comes after", () => {
    const c = connect();
    c.send({ type: "watch", watchId: 1, view: "tree", params: { connectionId: "default" } });
    c.send({ type: "watch", watchId: 2, view: "connections", params: {} });
    expect(c.client.watchCount).toBe(2);
    c.close();
    expect(c.client.watchCount).toBe(0);
    expect(c.services.opened).toEqual({ count: 2, closed: 2 });
    const before = c.received.length;
    c.send({ type: "watch", watchId: 3, view: "connections", params: {} });
    expect(c.received.length).toBe(before);
  });

  it("limits how fast one client may start requests", async () => {
    const c = connect({ ratePerSecond: 5 });
    for (let id = 1; id <= 11; id++) c.send({ type: "invoke", id, channel: "app:info", args: [] });
    expect(await c.next(resultOf(11))).toEqual({
      type: "result",
      id: 11,
      ok: false,
      error: "too many requests: slow down",
    });
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => c.next(resultOf(i + 1))));
    expect(answers.every((a) => a.type === "result" && a.ok)).toBe(true);
  });

  it("refuses a flood of messages of any kind before parsing them", async () => {
    const c = connect({ messagesPerSecond: 5 });
    for (let seq = 1; seq <= 10; seq++) c.send({ type: "ack", watchId: 1, seq });
    c.send({ type: "invoke", id: 1, channel: "app:info", args: [] });
    expect(await c.next(resultOf(1))).toEqual({
      type: "result",
      id: 1,
      ok: false,
      error: "too many messages: slow down",
    });
  });

  it("answers deeply nested input with a plain error", async () => {
    let deep: unknown = "bottom";
    for (let i = 0; i < 1000; i++) deep = { text: deep };
    const c = connect();
    c.send({ type: "watch", watchId: 1, view: "messages", params: { connectionId: "default", filter: deep } });
    expect(await c.next((m) => m.type === "watch-error")).toEqual({
      type: "watch-error",
      watchId: 1,
      error: "messages params.filter.text: must be a string (got object)",
    });
  });
});

// The relay's operator endpoints (moq-relay's internal listener): the live session list and the
// push that makes the auth server re-check sessions now, over real HTTP beside a real relay and
// auth server on 127.0.0.1.

import { connect as connectTcp } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { ErrorCode } from "../../../main/moq/errors.ts";
import { BroadcastProducer } from "../../../main/moq/model/broadcast.ts";
import { TrackMux } from "../../../main/moq/mux.ts";
import { authServer } from "../../../main/moq/relay/auth-url.ts";
import { startOpsServer, type OpsServer } from "../../../main/moq/relay/ops-http.ts";
import { within } from "../../helpers/wait.ts";
import { until } from "../../interop/fixtures.ts";
import { inSeconds, startAuthServer, type AuthBody, type TestAuthServer } from "./auth-server.ts";
import { T, startTestRelay, type TestRelay } from "./harness.ts";

let r: TestRelay | undefined;
let auth: TestAuthServer | undefined;
let ops: OpsServer | undefined;
afterEach(async () => {
  await ops?.close();
  await r?.close();
  await auth?.close();
  r = auth = ops = undefined;
});

/** Write `text` to the port as it is and read the whole reply. */
function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connectTcp(port, "127.0.0.1", () => socket.end(text));
    let reply = "";
    socket.on("data", (chunk: Buffer) => (reply += chunk.toString()));
    socket.on("close", () => resolve(reply));
    socket.on("error", reject);
  });
}

async function get(path: string, method = "GET"): Promise<{ status: number; body: string; json(): unknown }> {
  const res = await fetch(`${ops!.url}${path}`, { method });
  const body = await res.text();
  return { status: res.status, body, json: () => JSON.parse(body) };
}

describe("operator endpoints", () => {
  it("list live sessions by filter, without credentials, and nudge the auth server to re-check the ones chosen", async () => {
    // A grant re-checked hourly: any re-check within the test came from the push.
    let kick = false;
    auth = await startAuthServer((b: AuthBody) => {
      if (b.event === "revalidate" && kick && b.path === "/a") return { status: 403, text: "kicked by an operator" };
      if (b.event === "end") return { status: 204 };
      return { status: 200, json: { subscribe: ["**"], revalidate: 3600, expires: inSeconds(7200) } };
    });
    r = await startTestRelay({ authorize: authServer(auth.url, { node: "edge-1" }), node: "edge-1" });
    ops = await startOpsServer(r.relay, "127.0.0.1", 0);
    const a = await r.client("a?jwt=secret");
    await r.client("b/c");
    const connects = [
      await auth.received((b) => b.event === "connect" && b.path === "/a", "the connect of /a"),
      await auth.received((b) => b.event === "connect" && b.path === "/b/c", "the connect of /b/c"),
    ];
    const idOf = (path: string) => connects.find((b) => b.path === path)!.id;
    await r.logged((e) => e.type === "session-opened" && e.root === "a", "the session at /a");
    await r.logged((e) => e.type === "session-opened" && e.root === "b/c", "the session at /b/c");

    expect(await get("/health")).toMatchObject({ status: 200, body: "ok\n" });

    const all = await get("/sessions");
    expect(all.status).toBe(200);
    const sessions = (all.json() as { sessions: Record<string, unknown>[] }).sessions;
    expect(sessions.map((s) => s.id).sort()).toEqual([idOf("/a"), idOf("/b/c")].sort());
    const listed = sessions.find((s) => s.path === "/a")!;
    expect(listed).toMatchObject({ node: "edge-1", transport: "websocket", alpn: expect.stringMatching(/moq-lite/) });
    expect(listed.started).toBeGreaterThan(Date.now() / 1000 - 60);
    expect(listed).not.toHaveProperty("query");
    expect(JSON.stringify(sessions)).not.toContain("secret");

    expect(((await get("/sessions?path=b/**")).json() as { sessions: unknown[] }).sessions).toHaveLength(1);
    expect(((await get("/sessions?remote=127.0.0.0/8")).json() as { sessions: unknown[] }).sessions).toHaveLength(2);
    expect(((await get("/sessions?remote=10.0.0.0/8")).json() as { sessions: unknown[] }).sessions).toHaveLength(0);
    expect(await get("/sessions?query=jwt")).toMatchObject({ status: 400, body: "unknown filter field: query\n" });

    // A push that matches nothing is answered 200 with no ids; one that matches, 202 with them.
    expect(await get("/sessions/revalidate?node=elsewhere", "POST")).toMatchObject({ status: 200 });
    expect((await get("/sessions/revalidate?node=elsewhere", "POST")).json()).toEqual({ ids: [] });
    kick = true;
    const pushed = await get("/sessions/revalidate?path=a", "POST");
    expect(pushed.status).toBe(202);
    expect(pushed.json()).toEqual({ ids: [idOf("/a")] });
    // The server's answer to that re-check is the verdict: /a is refused, /b/c untouched.
    const info = await within(a.closed, T, "the pushed re-check closing /a");
    expect(info).toMatchObject({ code: ErrorCode.Unauthorized });
    expect(info.reason).toContain("kicked by an operator");
    expect(auth.bodies.filter((b) => b.event === "revalidate").map((b) => b.path)).toEqual(["/a"]);
    expect(((await get("/sessions")).json() as { sessions: unknown[] }).sessions).toHaveLength(1);
  });

  it("says what is there when the route or method is wrong", async () => {
    r = await startTestRelay();
    ops = await startOpsServer(r.relay, "127.0.0.1", 0);
    expect(await get("/nope")).toMatchObject({ status: 404 });
    expect((await get("/nope")).body).toContain("/sessions/revalidate");
    expect(await get("/sessions/revalidate")).toMatchObject({ status: 405 });
    expect(await get("/sessions?colour=red", "POST")).toMatchObject({ status: 405 });
    expect(await get("/health", "POST")).toMatchObject({ status: 405 });
    // A request target the URL parser refuses is a 400, and the relay lives on.
    expect(await rawRequest(ops!.port, "GET // HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")).toMatch(
      /^HTTP\/1\.1 400/,
    );
    expect(await get("/health")).toMatchObject({ status: 200 });
    // Sessions the open default admits are listed too, with fresh ids.
    await r.client("x");
    const { sessions } = (await get("/sessions")).json() as { sessions: { id: string; path: string }[] };
    expect(sessions).toEqual([expect.objectContaining({ path: "/x", id: expect.stringMatching(/^[0-9a-f]{32}$/) })]);
    expect(await get("/sessions/revalidate", "POST")).toMatchObject({ status: 202 });
  });

  it("/metrics counts sessions, announces, subscriptions and the media taken in, under moq-relay's names", async () => {
    r = await startTestRelay();
    ops = await startOpsServer(r.relay, "127.0.0.1", 0);
    const mux = new TrackMux();
    const broadcast = new BroadcastProducer();
    const track = broadcast.createTrack("t");
    mux.publishBroadcast("cam", broadcast);
    await r.client("", { mux });
    const viewer = await r.client("");
    await within(viewer.announced("").next(), T, "the announcement");
    const sub = viewer.subscribe("cam", "t");
    await until(() => track.consumerCount > 0, T, "the relay's upstream subscription");
    const group = track.openGroup();
    group.writeFrame(new Uint8Array(1000));
    group.writeFrame(new Uint8Array(234));
    group.close();
    const got = await within(sub.nextGroup(), T, "the group");
    while ((await got!.readFrame()) !== undefined);

    const scraped = await get("/metrics");
    expect(scraped.status).toBe(200);
    const value = (series: string) => {
      const line = scraped.body.split("\n").find((l) => l.startsWith(`${series} `));
      return line === undefined ? undefined : Number(line.slice(series.length + 1));
    };
    expect(value('moq_relay_sessions_opened_total{tier=""}')).toBe(2);
    expect(value('moq_relay_announces_started_total{tier=""}')).toBe(1);
    expect(value('moq_relay_subscriptions_opened_total{tier=""}')).toBe(1);
    expect(value('moq_relay_groups_total{role="publisher"}')).toBe(1);
    expect(value('moq_relay_frames_total{role="publisher"}')).toBe(2);
    expect(value('moq_relay_bytes_total{role="publisher"}')).toBe(1234);
    expect(value("moqscope_relay_sessions")).toBe(2);
    expect(value("moqscope_relay_broadcasts")).toBe(1);
    expect(scraped.body).toContain("# TYPE moq_relay_sessions_closed_total counter");
  });
});

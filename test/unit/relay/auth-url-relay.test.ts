import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { connect } from "../../../main/moq/connect.ts";
import { AUTH_UNAVAILABLE_CODE, ErrorCode } from "../../../main/moq/errors.ts";
import { BroadcastProducer } from "../../../main/moq/model/broadcast.ts";
import { TrackMux } from "../../../main/moq/mux.ts";
import { authServer } from "../../../main/moq/relay/auth-url.ts";
import type { AuthServerOptions } from "../../../main/moq/relay/auth-url.ts";
import { within } from "../../helpers/wait.ts";
import { until } from "../../interop/fixtures.ts";
import { inSeconds, startAuthServer } from "./auth-server.ts";
import type { AuthAnswer, AuthBody, TestAuthServer } from "./auth-server.ts";
import { T, startTestRelay } from "./harness.ts";
import type { TestRelay } from "./harness.ts";

// The relay with --auth-url: a real HTTP server on 127.0.0.1 (or a unix socket) answers each
// session's connect, revalidate and end, as moq-relay 0.17's auth server does.

let r: TestRelay | undefined;
let auth: TestAuthServer | undefined;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await r?.close();
  await auth?.close();
  for (const c of cleanups.splice(0)) await c();
  r = auth = undefined;
});

async function start(
  answer: (body: AuthBody) => AuthAnswer,
  options: AuthServerOptions = {},
  socketPath?: string,
): Promise<{ r: TestRelay; auth: TestAuthServer }> {
  auth = await startAuthServer(answer, socketPath);
  r = await startTestRelay({ authorize: authServer(auth.url, options) });
  return { r, auth };
}

const grant = (json: unknown): AuthAnswer => ({ status: 200, json });
const ended = (id: unknown) => (b: AuthBody) => b.event === "end" && b.id === id;

describe("relay with --auth-url", () => {
  it("sends the session's details and applies the server's grant: a broadcast outside publish is not relayed", async () => {
    await start(
      (b) =>
        b.path === "/room"
          ? grant({ publish: ["alice/**"], subscribe: ["**"], tier: "x", future: 1 })
          : { status: 403 },
      { node: "edge-1" },
    );
    const mux = new TrackMux();
    mux.publishBroadcast("alice/cam", new BroadcastProducer());
    mux.publishBroadcast("bob/cam", new BroadcastProducer()); // outside publish: never relayed
    await r!.client("room?a=1&jwt=abc", { mux });
    const viewer = await r!.client("room");
    const announced = viewer.announced("");
    expect(await within(announced.next(), T, "alice's broadcast")).toMatchObject({ path: "alice/cam", active: true });
    expect(r!.relay.broadcasts()).toEqual(["room/alice/cam"]);

    const connect = auth!.bodies[0]!;
    expect(connect).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{32}$/),
      event: "connect",
      node: "edge-1",
      transport: "websocket",
      remote: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
      local: `127.0.0.1:${r!.relay.port}`,
      server_name: "127.0.0.1",
      alpn: expect.stringMatching(/moq-lite-0\d/),
      path: "/room",
      query: "a=1&jwt=abc",
      "#method": "POST",
      "#type": "application/json",
      "#target": "/",
    });
    // Absent fields are omitted, never null; sessions get different ids.
    expect(Object.values(auth!.bodies[1]!)).not.toContain(null);
    expect(auth!.bodies[1]).not.toHaveProperty("query");
    expect(auth!.bodies[1]!.id).not.toBe(connect.id);
    const opened = r!.log.filter((e) => e.type === "session-opened");
    expect(opened[0]).toMatchObject({ root: "room", publish: ["alice/**"], subscribe: ["**"], tier: "x" });
  });

  it("takes the grant's root in place of the dialed path, and sends the root path as /", async () => {
    await start((b) =>
      grant({ publish: ["**"], subscribe: ["**"], ...(b.path === "/slug" ? { root: "pid/room" } : {}) }),
    );
    const mux = new TrackMux();
    mux.publishBroadcast("cam", new BroadcastProducer());
    await r!.client("slug", { mux });
    const viewer = await r!.client("");
    expect(await within(viewer.announced("").next(), T, "the aliased broadcast")).toMatchObject({
      path: "pid/room/cam",
      active: true,
    });
    expect(auth!.bodies.map((b) => b.path)).toEqual(["/slug", "/"]);
  });

  it("applies the grant's mounts: a subtree read from elsewhere, shown under the mount and read-only", async () => {
    await start((b) =>
      b.path === "/pid"
        ? grant({ publish: ["**"], subscribe: ["**"], mounts: { ".svc": ".svc/pid" } })
        : grant({ publish: ["**"], subscribe: ["**"] }),
    );
    // A fleet-wide publisher at the relay's root.
    const fleet = new TrackMux();
    const foo = new BroadcastProducer();
    const track = foo.createTrack("t");
    fleet.publishBroadcast(".svc/pid/foo", foo);
    fleet.publishBroadcast(".svc/other/bar", new BroadcastProducer());
    fleet.publishBroadcast("pid/.svc/forged", new BroadcastProducer());
    fleet.publishBroadcast("pid/cam", new BroadcastProducer());
    await r!.client("", { mux: fleet });
    await until(() => r!.relay.broadcasts().length === 4, T, "the fleet's broadcasts at the relay");

    const project = new TrackMux();
    project.publishBroadcast(".svc/evil", new BroadcastProducer()); // under the mount: not relayed
    project.publishBroadcast("cam2", new BroadcastProducer());
    const viewer = await r!.client("pid", { mux: project });
    const announced = viewer.announced("");
    const seen = new Set<string>();
    while (!(seen.has(".svc/foo") && seen.has("cam") && seen.has("cam2"))) {
      const change = await within(announced.next(), T, "the project's announcements");
      if (change?.active) seen.add(change.path);
    }
    expect([...seen].sort()).toEqual([".svc/foo", "cam", "cam2"]);
    expect(r!.relay.broadcasts()).not.toContain("pid/.svc/evil");
    expect(r!.relay.broadcasts()).toContain("pid/cam2");

    // Subscribing through the mount reaches the target; the shadowed path is not served.
    const sub = viewer.subscribe(".svc/foo", "t");
    await until(() => track.consumerCount > 0, T, "the subscription through the mount");
    const group = track.openGroup();
    group.writeFrame(new TextEncoder().encode("through the mount"));
    group.close();
    const got = await within(sub.nextGroup(), T, "the group");
    expect(new TextDecoder().decode(await got!.readFrame())).toBe("through the mount");
    const opened = r!.log.find((e) => e.type === "session-opened" && e.root === "pid");
    expect(opened).toMatchObject({ mounts: { ".svc": ".svc/pid" } });
    const forged = viewer.subscribe(".svc/forged", "t");
    const refusal = await within(
      forged.ok.then(
        () => undefined,
        (err: unknown) => err,
      ),
      5000,
      "the refusal",
    );
    expect(refusal).toMatchObject({ code: ErrorCode.NotFound });
  });

  it("refuses a session whose grant's mounts chain (Unauthorized, as moq-relay's Forbidden)", async () => {
    await start(() => grant({ subscribe: ["**"], mounts: { ".a": "pid/.z", ".z": "secret" } }));
    const info = await within((await r!.client("pid")).closed, T, "the refusal");
    expect(info.code).toBe(ErrorCode.Unauthorized);
    expect(info.reason).toMatch(/bad grant: mount .* overlaps/);
  });

  it("refuses on 401/403 with the server's text as the close reason", async () => {
    await start(() => ({ status: 403, text: "banned: ask an admin" }));
    const session = await r!.client("room");
    const info = await within(session.closed, T, "the refusal");
    expect(info).toMatchObject({ code: ErrorCode.Unauthorized, by: "remote" });
    expect(info.reason).toContain("banned: ask an admin");
    const refused = await r!.logged((e) => e.type === "session-refused", "the refusal");
    expect(refused).toMatchObject({ path: "room", reason: "refused by the auth server: banned: ask an admin" });
  });

  it("closes with 502 (unavailable) on other statuses, bad JSON, bad or invalid grants and timeouts, and as refused on an empty grant", async () => {
    const cases: [string, AuthAnswer, RegExp][] = [
      ["500", { status: 500, text: "oops" }, /auth server unavailable: the auth server answered 500/],
      ["404", { status: 404 }, /auth server unavailable: the auth server answered 404/],
      ["garbage", { status: 200, text: "<html>" }, /auth server unavailable: .*not JSON/],
      ["nulls", grant({ publish: null }), /auth server unavailable: .*publish must be a list/],
      ["badpattern", grant({ subscribe: ["a/**/b/**"] }), /auth server unavailable: .*subscribe/],
      ["unbounded", grant({ subscribe: ["**"], revalidate: 5 }), /unavailable: its grant is invalid: .*no expires/],
      [
        "zero",
        grant({ subscribe: ["**"], revalidate: 0, expires: inSeconds(60) }),
        /invalid: the grant's revalidate is 0/,
      ],
      ["past", grant({ subscribe: ["**"], expires: inSeconds(-1) }), /invalid: the grant expired/],
      ["timeout", "hang", /auth server unavailable: no answer within 0\.3 s/],
      ["empty", grant({}), /refused by the auth server: the auth server granted nothing/],
    ];
    await start((b) => cases.find(([name]) => b.path === `/${name}`)![1], { timeoutMs: 300 });
    for (const [name, , reason] of cases) {
      const session = await r!.client(name);
      const info = await within(session.closed, T, `the refusal (${name})`);
      // As moq-relay: only the server's "no" is about the credentials; it could not decide is app code 502.
      expect(info.code, name).toBe(name === "empty" ? ErrorCode.Unauthorized : AUTH_UNAVAILABLE_CODE);
      expect(info.reason, name).toMatch(reason);
    }
    // No session was admitted, so none is ended.
    expect(auth!.bodies.filter((b) => b.event === "end")).toEqual([]);
  });

  it("refuses as unavailable when nothing listens at the URL, without leaking the URL's query", async () => {
    const probe = await startAuthServer(() => ({ status: 200 }));
    const url = `${probe.url}?secret=hunter2`;
    await probe.close();
    r = await startTestRelay({ authorize: authServer(url) });
    const info = await within((await r.client("room")).closed, T, "the refusal");
    expect(info.code).toBe(AUTH_UNAVAILABLE_CODE);
    expect(info.reason).toMatch(/auth server unavailable: connection refused/);
    expect(JSON.stringify(r.log)).not.toContain("hunter2");
  });

  it("re-checks on the cadence: refused, invalid, a changed root or mounts and a narrower grant close the session; equal or wider keep it", async () => {
    const base = { publish: ["a/**"], subscribe: ["**"], revalidate: 1, expires: inSeconds(60) };
    const recheck: Record<string, AuthAnswer> = {
      "/refused": { status: 403, text: "kicked" },
      "/invalid": grant({ ...base, revalidate: undefined, expires: inSeconds(-5) }),
      "/moved": grant({ ...base, root: "elsewhere" }),
      "/remounted": grant({ ...base, mounts: { ".svc": ".svc/x" } }),
      "/narrow": grant({ ...base, publish: ["a/b"] }),
      "/wider": grant({ ...base, publish: ["**"] }),
      "/equal": grant(base),
    };
    await start((b) =>
      b.event === "connect" ? grant(base) : b.event === "end" ? { status: 204 } : recheck[b.path as string]!,
    );
    const sessions = Object.fromEntries(
      await Promise.all(Object.keys(recheck).map(async (p) => [p, await r!.client(p.slice(1))] as const)),
    );
    const closes: [string, RegExp, string][] = [
      ["/refused", /refused by the auth server on re-check: kicked/, "refused"],
      ["/invalid", /invalid grant on re-check: the grant expired/, "invalid"],
      ["/moved", /root changed on re-check: \/moved became \/elsewhere/, "root changed"],
      ["/remounted", /mounts changed on re-check/, "mounts changed"],
      ["/narrow", /grant narrowed on re-check: no longer publish a\/\*\*/, "grant narrowed"],
    ];
    for (const [path, reason, word] of closes) {
      const info = await within(sessions[path]!.closed, T, `the close of ${path}`);
      expect(info.code, path).toBe(ErrorCode.Unauthorized);
      expect(info.reason, path).toMatch(reason);
      const connect = auth!.bodies.find((b) => b.event === "connect" && b.path === path)!;
      const end = await auth!.received(ended(connect.id), `the end of ${path}`);
      expect(end, path).toMatchObject({ reason: word, path });
      expect(end.duration as number, path).toBeGreaterThan(0.5);
      expect(auth!.bodies.some((b) => b.event === "revalidate" && b.id === connect.id)).toBe(true);
    }
    // Two re-checks later, the equal and the wider grants still hold.
    const rechecked = (path: string) => auth!.bodies.filter((b) => b.event === "revalidate" && b.path === path).length;
    await until(() => rechecked("/equal") >= 2 && rechecked("/wider") >= 2, T, "two re-checks of /equal and /wider");
    expect(sessions["/equal"]!.isClosed).toBe(false);
    expect(sessions["/wider"]!.isClosed).toBe(false);
    const revoked = r!.log
      .filter((e) => e.type === "session-revoked")
      .map((e) => e.type === "session-revoked" && e.reason);
    expect(revoked.sort()).toEqual(["grant narrowed", "invalid", "mounts changed", "refused", "root changed"]);
  });

  it("keeps a session through an auth server outage until its grant expires, then ends it as expired", async () => {
    const expires = inSeconds(3);
    let rechecks = 0;
    await start((b) => {
      if (b.event === "connect") return grant({ subscribe: ["**"], revalidate: 1, expires });
      if (b.event === "revalidate")
        return ++rechecks === 1 ? grant({ subscribe: ["**"], revalidate: 1, expires }) : { status: 503 };
      return { status: 200 };
    });
    const session = await r!.client("room");
    const outage = await r!.logged((e) => e.type === "auth-outage", "the outage");
    expect(outage).toMatchObject({
      message: "auth server unavailable: the auth server answered 503 Service Unavailable",
    });
    expect(session.isClosed).toBe(false);
    const info = await within(session.closed, T, "the expiry");
    expect(info).toMatchObject({ code: ErrorCode.Unauthorized, reason: "authorization expired" });
    expect(Date.now()).toBeGreaterThanOrEqual(expires * 1000);
    const end = await auth!.received((b) => b.event === "end", "the end");
    expect(end).toMatchObject({ reason: "expired" });
    expect(rechecks).toBeGreaterThanOrEqual(2);
  });

  it("posts end with reason closed and the time admitted when the client leaves", async () => {
    await start((b) => (b.event === "end" ? { status: 500 } : grant({ subscribe: ["**"] })));
    const session = await r!.client("room");
    await r!.logged((e) => e.type === "session-opened", "the session");
    await new Promise((resolve) => setTimeout(resolve, 200));
    session.close();
    const end = await auth!.received((b) => b.event === "end", "the end");
    expect(end).toMatchObject({ event: "end", reason: "closed", path: "/room" });
    expect(end.id).toBe(auth!.bodies[0]!.id);
    // The session's own byte counts from the relay's side: at least the SETUP streams both ways.
    const bytes = end.bytes as { sent: number; received: number };
    expect(bytes.sent).toBeGreaterThan(0);
    expect(bytes.received).toBeGreaterThan(0);
    expect(end.duration as number).toBeGreaterThanOrEqual(0.15);
    // The server's 500 to the end is only logged.
    await r!.logged((e) => e.type === "error" && e.message.includes("end event"), "the failed end");
  });

  it("sends a WebTransport session as transport quic with its negotiated protocol", async () => {
    await start(() => grant({ subscribe: ["**"] }));
    const session = await connect(`http://127.0.0.1:${r!.relay.port}/live?x=1`, {
      transport: "webtransport",
      timeoutMs: 10_000,
    });
    await r!.logged((e) => e.type === "session-opened", "the session");
    session.close();
    expect(auth!.bodies[0]).toMatchObject({
      event: "connect",
      transport: "quic",
      alpn: session.version,
      path: "/live",
      query: "x=1",
      server_name: "127.0.0.1",
      remote: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
    });
  });

  it("speaks HTTP over a unix:// socket", async () => {
    const dir = await mkdtemp(join(tmpdir(), "moqscope-auth-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    await start(() => grant({ subscribe: ["**"] }), {}, join(dir, "auth.sock"));
    expect(auth!.url).toBe(`unix://${join(dir, "auth.sock")}`);
    const session = await r!.client("room");
    await r!.logged((e) => e.type === "session-opened", "the session");
    expect(session.isClosed).toBe(false);
    expect(auth!.bodies[0]).toMatchObject({ event: "connect", path: "/room", "#target": "/" });
  });
});

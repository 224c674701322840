import { describe, expect, it } from "vitest";
import { AuthUrlError, authTarget, postJson } from "../../../main/moq/relay/auth-url-http.ts";
import { readReply } from "../../../main/moq/relay/auth-url-grant.ts";
import { authServer } from "../../../main/moq/relay/auth-url.ts";
import { eventBody, sessionFields } from "../../../main/moq/relay/auth-url-request.ts";
import { backoffMs, watchLease } from "../../../main/moq/relay/lease.ts";
import type { Lease, Recheck } from "../../../main/moq/relay/grant.ts";
import { ROOT } from "../../../main/moq/model/path.ts";
import { startAuthServer } from "./auth-server.ts";
import { until } from "../../interop/fixtures.ts";

// The --auth-url client's parts: URL rules, the request body, reading replies, and the lease
// watcher's backoff. The end-to-end contract runs in auth-url-relay.test.ts.

describe("auth URL rules (moq-auth's client)", () => {
  it("accepts https://, unix://PATH and http:// to loopback", () => {
    expect(authTarget("https://auth.example/check")).toEqual({ url: new URL("https://auth.example/check") });
    for (const url of ["http://127.0.0.1:4440/", "http://localhost:4440/", "http://[::1]:4440/", "http://127.0.0.2/"])
      expect(authTarget(url), url).toHaveProperty("url");
    expect(authTarget("unix:///run/moq-auth.sock")).toEqual({ socketPath: "/run/moq-auth.sock" });
  });

  it("refuses http:// elsewhere, other schemes, a unix URL without a path and non-URLs, naming the rule and never the credentials", () => {
    const cases: [string, RegExp][] = [
      [
        "http://user:pass@auth.example/?jwt=secret#frag",
        /http:\/\/auth\.example\/ would send session details in the clear/,
      ],
      ["http://10.0.0.1/", /use https:\/\/ or a loopback host/],
      ["ftp://user:pass@auth.example/?jwt=secret#frag", /got ftp:\/\/ \(ftp:\/\/auth\.example\/\)/],
      ["unix://", /names no socket path/],
      ["auth.example:4440", /got auth\.example:\/\//],
      ["not a url with secret", /the value given is not a URL/],
    ];
    for (const [url, message] of cases) {
      let err: unknown;
      try {
        authServer(url);
      } catch (e) {
        err = e;
      }
      expect(err, url).toBeInstanceOf(AuthUrlError);
      const text = (err as Error).message;
      expect(text, url).toMatch(/must be https:\/\/, unix:\/\/\/path\/to\.sock, or http:\/\/ to a loopback address/);
      expect(text, url).toMatch(message);
      for (const secret of ["user", "pass", "jwt", "secret", "frag"]) expect(text, url).not.toContain(secret);
    }
  });
});

describe("auth request body", () => {
  it("has the session's fields for every event, end adding reason, duration and bytes; absent ones omitted", () => {
    const fields = sessionFields(
      {
        url: new URL("https://Relay.Example:4443/live/room?jwt=x"),
        remote: "[::1]:5000",
        kind: "webtransport-h2",
        protocol: "moq-lite-06",
      },
      "",
    );
    expect(fields.id).toMatch(/^[0-9a-f]{32}$/);
    expect(eventBody(fields, "connect")).toEqual({
      id: fields.id,
      event: "connect",
      node: "",
      transport: "quic",
      path: "/live/room",
      remote: "[::1]:5000",
      server_name: "relay.example",
      alpn: "moq-lite-06",
      query: "jwt=x",
    });
    const end = eventBody(fields, "end", { reason: "closed", duration: 1.5, bytes: { sent: 0, received: 0 } });
    expect(Object.keys(end).slice(0, 5)).toEqual(["id", "event", "reason", "duration", "bytes"]);
    expect(end).toMatchObject({ reason: "closed", duration: 1.5, bytes: { sent: 0, received: 0 } });
    expect(sessionFields({ url: new URL("ws://h/"), remote: "1.2.3.4:5" }, "n")).toMatchObject({
      transport: "websocket",
      path: "/",
    });
  });
});

describe("auth server replies", () => {
  const now = Date.UTC(2030, 0, 1);
  const ok = (json: unknown) => readReply({ status: 200, statusText: "OK", body: JSON.stringify(json) }, now);

  it("admits a 2xx grant, ignoring unknown fields and accepting mounts, tier and peer", () => {
    expect(
      ok({
        publish: ["alice/**"],
        subscribe: ["**"],
        root: "pid/room",
        mounts: { m: "/x" },
        tier: "t",
        peer: true,
        new: 1,
      }),
    ).toEqual({
      grant: { publish: ["alice/**"], subscribe: ["**"], root: "pid/room", mounts: { m: "/x" }, tier: "t", peer: true },
    });
    expect(readReply({ status: 204, statusText: "", body: '{"subscribe":["a"]}' }, now)).toHaveProperty("grant");
  });

  it("refuses on 401/403 (the body is the reason) and on a grant of nothing", () => {
    expect(readReply({ status: 401, statusText: "Unauthorized", body: "bad token\n" }, now)).toEqual({
      refused: "bad token",
    });
    expect(readReply({ status: 403, statusText: "Forbidden", body: "" }, now)).toEqual({
      refused: "the auth server answered 403",
    });
    expect(ok({})).toHaveProperty("refused");
    expect(ok({ publish: [], subscribe: [] })).toHaveProperty("refused");
  });

  it("counts other statuses and malformed replies as unavailable, and bounded grants as invalid", () => {
    for (const status of [400, 404, 408, 429, 500, 503])
      expect(readReply({ status, statusText: "", body: "{}" }, now), String(status)).toHaveProperty("unavailable");
    for (const body of [
      "",
      "nope",
      "[]",
      "null",
      '{"publish":null}',
      '{"publish":"**"}',
      '{"expires":1.5,"subscribe":["**"]}',
    ])
      expect(readReply({ status: 200, statusText: "", body }, now), body).toHaveProperty("unavailable");
    const s = now / 1000;
    expect(ok({ subscribe: ["**"], revalidate: 60 })).toEqual({
      invalid: "the grant asks to be revalidated but has no expires",
    });
    expect(ok({ subscribe: ["**"], revalidate: 0, expires: s + 60 })).toHaveProperty("invalid");
    expect(ok({ subscribe: ["**"], expires: s })).toHaveProperty("invalid"); // expires == now: already over
    expect(ok({ subscribe: ["**"], expires: s + 1, revalidate: 1 })).toHaveProperty("grant");
  });

  it("times out a server that never answers", async () => {
    const server = await startAuthServer(() => "hang");
    try {
      await expect(postJson(authTarget(server.url), {}, 100)).rejects.toThrow("no answer within 0.1 s");
    } finally {
      await server.close();
    }
  });
});

describe("lease watcher", () => {
  it("backs off from 1 s doubling, capped by the cadence and 60 s, jittered by a quarter", () => {
    const mid = () => 0.5;
    expect([1, 2, 3, 4].map((n) => backoffMs(n, 3_600_000, mid))).toEqual([1000, 2000, 4000, 8000]);
    expect(backoffMs(10, 5000, mid)).toBe(5000);
    expect(backoffMs(40, 3_600_000, mid)).toBe(60_000);
    expect(backoffMs(1, 3_600_000, () => 0)).toBe(750);
    expect(backoffMs(1, 3_600_000, () => 1)).toBe(1250);
  });

  it("runs one re-check at a time and stops on stop()", async () => {
    const { lease, calls, release } = hangingLease();
    const ends: string[] = [];
    const watch = watchLease({
      grant: { root: ROOT, publish: [], subscribe: ["**"], revalidate: 0.05, expires: Date.now() / 1000 + 60 },
      lease,
      ended: (reason) => ends.push(reason),
    });
    await new Promise((r) => setTimeout(r, 250));
    expect(calls()).toBe(1); // the first re-check hangs: no second one
    release({
      grant: { root: ROOT, publish: [], subscribe: ["**", "x"], revalidate: 0.05, expires: Date.now() / 1000 + 60 },
    });
    await new Promise((r) => setTimeout(r, 150));
    expect(calls()).toBe(2);
    watch.stop();
    release({ revoked: "refused", message: "late" });
    await new Promise((r) => setTimeout(r, 50));
    expect(ends).toEqual([]);
  });

  it("a nudge re-checks at once when idle, and once more after the re-check in flight, however many came", async () => {
    const { lease, calls, release } = hangingLease();
    const grant = { root: ROOT, publish: [], subscribe: ["**"], revalidate: 3600, expires: Date.now() / 1000 + 7200 };
    const watch = watchLease({ grant, lease, ended: () => {} });
    expect(calls()).toBe(0); // the cadence is an hour away
    expect(watch.nudge()).toBe(true);
    expect(calls()).toBe(1);
    watch.nudge();
    watch.nudge();
    expect(calls()).toBe(1); // in flight: the burst waits for its reply
    release({ grant });
    await until(() => calls() === 2, 2000, "the re-check the burst asked for");
    release({ grant });
    await new Promise((r) => setTimeout(r, 50));
    expect(calls()).toBe(2);
    watch.stop();
    expect(watch.nudge()).toBe(false);
    expect(watchLease({ grant, ended: () => {} }).nudge()).toBe(false); // no lease to ask
  });
});

/** A lease whose re-checks hang until the test releases the latest one with an answer. */
function hangingLease(): { lease: Lease; calls: () => number; release: (r: Recheck) => void } {
  let calls = 0;
  let release: ((r: Recheck) => void) | undefined;
  const lease: Lease = {
    recheck: () => {
      calls++;
      return new Promise<Recheck>((resolve) => (release = resolve));
    },
    end: () => {},
  };
  return { lease, calls: () => calls, release: (r) => release!(r) };
}

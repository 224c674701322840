import { signToken } from "../../helpers/jwt-sign.ts";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from "jose";
import { afterEach, describe, expect, it } from "vitest";
import { BroadcastProducer } from "../../../main/moq/model/broadcast.ts";
import type { TrackProducer } from "../../../main/moq/model/track.ts";
import type { Session } from "../../../main/moq/lite/session/session.ts";
import { TrackMux } from "../../../main/moq/mux.ts";
import { authorize, generateJwk, loadAuthKey, parseAuthKey } from "../../../main/moq/relay/auth.ts";
import type { AuthKey } from "../../../main/moq/relay/auth.ts";
import { ErrorCode } from "../../../main/moq/errors.ts";
import { within } from "../../helpers/wait.ts";
import { until } from "../../interop/fixtures.ts";
import { connectLite } from "../../interop/lite-peer.ts";
import * as Moq from "@moq/lite";
import { T, startTestRelay } from "./harness.ts";
import type { TestRelay } from "./harness.ts";

// The relay with the real auth module plugged in, as `moqscope relay --auth-key/--public` runs it.

let r: TestRelay | undefined;
const closers: (() => void)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) c();
  await r?.close();
  r = undefined;
});

function start(key: AuthKey | undefined, publicPrefixes: string[]): Promise<TestRelay> {
  return startTestRelay({ authorize: (req) => authorize(req.url, { key, publicPrefixes }) });
}

const key = parseAuthKey(JSON.stringify(generateJwk("ES256")));
const inAMinute = () => Math.floor(Date.now() / 1000) + 60;

/** Subscribe `viewer` to `path`/t through the relay and see group 0 of `track` arrive. */
async function groupGetsThrough(viewer: Session, path: string, track: TrackProducer): Promise<void> {
  const sub = viewer.subscribe(path, "t");
  await until(() => track.consumerCount > 0, T, "the relay's upstream subscription");
  const g = track.openGroup();
  g.writeFrame(new TextEncoder().encode("hi"));
  g.close();
  expect((await within(sub.nextGroup(), T, "group"))?.sequence).toBe(0);
}

describe("relay with JWT auth and public prefixes", () => {
  it("refuses a session without a token, with a bad signature, or with an expired token (code 6) and logs why", async () => {
    r = await start(key, []);
    const other = parseAuthKey(JSON.stringify(generateJwk("ES256")));
    const cases = [
      ["no token", "room"],
      ["signed by another key", `room?jwt=${signToken({ root: "room", get: [""], exp: inAMinute() }, other)}`],
      ["expired", `room?jwt=${signToken({ root: "room", get: [""], exp: Math.floor(Date.now() / 1000) - 5 }, key)}`],
    ] as const;
    for (const [what, path] of cases) {
      const session = await r.client(path);
      const closed = await within(session.closed, T, `the refusal (${what})`);
      expect(closed, what).toMatchObject({ code: ErrorCode.Unauthorized, by: "remote" });
    }
    const refusals = r.log.filter((e) => e.type === "session-refused");
    expect(refusals).toHaveLength(3);
    expect(refusals.map((e) => (e as { reason: string }).reason).join("\n")).toMatch(/expired/);
  });

  it("lets a token publish under put and subscribe under get, and nothing else", async () => {
    r = await start(key, []);
    const pubToken = signToken({ root: "room", put: ["alice"], exp: inAMinute() }, key);
    const mux = new TrackMux();
    const broadcast = new BroadcastProducer();
    const track = broadcast.createTrack("t");
    mux.publishBroadcast("alice/cam", broadcast);
    mux.publishBroadcast("bob/cam", new BroadcastProducer()); // outside "put": never relayed
    await r.client(`room?jwt=${pubToken}`, { mux });

    const viewToken = signToken({ root: "room", get: [""], exp: inAMinute() }, key);
    const viewer = await r.client(`room?jwt=${viewToken}`);
    const announced = viewer.announced("");
    expect(await within(announced.next(), T, "alice's broadcast")).toMatchObject({ path: "alice/cam", active: true });
    await groupGetsThrough(viewer, "alice/cam", track);
    expect(r.relay.broadcasts()).toEqual(["room/alice/cam"]);
  });

  it("grants by moq-auth's pattern claims: publish and subscribe match whole paths", async () => {
    r = await start(key, []);
    const pubToken = signToken({ root: "room", publish: ["*/cam"], exp: inAMinute() }, key);
    const mux = new TrackMux();
    const broadcast = new BroadcastProducer();
    const track = broadcast.createTrack("t");
    mux.publishBroadcast("alice/cam", broadcast);
    mux.publishBroadcast("bob/mic", new BroadcastProducer()); // not */cam: never relayed
    mux.publishBroadcast("bob/cam", new BroadcastProducer());
    await r.client(`room?jwt=${pubToken}`, { mux });
    await r.logged((e) => e.type === "announce" && e.path === "room/bob/cam", "bob's camera");
    expect(r.relay.broadcasts().sort()).toEqual(["room/alice/cam", "room/bob/cam"]);

    // This viewer may see alice's broadcasts only: bob/cam is announced at the relay, not to it.
    const viewer = await r.client(`room?jwt=${signToken({ root: "room", subscribe: ["alice/*"] }, key)}`);
    const changes = viewer.announced("");
    expect(await within(changes.next(), T, "alice's broadcast")).toMatchObject({ path: "alice/cam", active: true });
    await groupGetsThrough(viewer, "alice/cam", track);
    const hidden = viewer.subscribe("bob/cam", "t");
    expect((await within(hidden.closed, T, "the refused subscription"))?.code).toBeDefined();

    // A pattern moq-relay cannot parse refuses the token at connect, saying why.
    const bad = await r.client(`room?jwt=${signToken({ root: "room", publish: ["a*b*c"] }, key)}`);
    const info = await within(bad.closed, T, "the refusal");
    expect(info.code).toBe(ErrorCode.Unauthorized);
    expect(info.reason).toMatch(/may have one "\*"/);
  });

  it("loads a key file jose exported and admits only tokens jose signed with its private half", async () => {
    const dir = await mkdtemp(join(tmpdir(), "moqscope-auth-relay-"));
    closers.push(() => void rm(dir, { recursive: true, force: true }));
    const own = await generateKeyPair("EdDSA", { extractable: true });
    const path = join(dir, "relay.jwk");
    // moq-token's file format: the JWK, base64url-encoded; the relay holds only the public half.
    await writeFile(
      path,
      Buffer.from(JSON.stringify({ ...(await exportJWK(own.publicKey)), alg: "EdDSA" })).toString("base64url"),
    );
    r = await start(await loadAuthKey(path), []);

    const token = (claims: Record<string, unknown>, privateKey: CryptoKey) =>
      new SignJWT({ ...claims, exp: inAMinute() }).setProtectedHeader({ alg: "EdDSA", typ: "JWT" }).sign(privateKey);
    const foreign = await generateKeyPair("EdDSA");
    const forged = await r.client(`room?jwt=${await token({ root: "room", get: "" }, foreign.privateKey)}`);
    expect(await within(forged.closed, T, "the refusal of the foreign token")).toMatchObject({
      code: ErrorCode.Unauthorized,
      by: "remote",
    });

    const mux = new TrackMux();
    mux.publishBroadcast("alice/cam", new BroadcastProducer());
    await r.client(`room?jwt=${await token({ root: "room", put: "alice" }, own.privateKey)}`, { mux });
    const viewer = await r.client(`room?jwt=${await token({ root: "room", get: "" }, own.privateKey)}`);
    expect(await within(viewer.announced("").next(), T, "alice's broadcast")).toMatchObject({
      path: "alice/cam",
      active: true,
    });
    expect(r.log.filter((e) => e.type === "session-refused").map((e) => (e as { reason: string }).reason)).toEqual([
      "signature does not match the key",
    ]);
  });

  it("admits anonymous @moq/lite clients only under --public, isolated by their path root", async () => {
    r = await start(undefined, ["anon"]);
    const lite = await connectLite(r.ws("anon"), { version: "moq-lite-04" });
    closers.push(() => lite.close());
    const published = new Moq.Broadcast();
    lite.connection.publish(Moq.Path.from("cam"), published);

    const viewer = await r.client("anon");
    const announced = viewer.announced("");
    expect(await within(announced.next(), T, "the anonymous broadcast")).toMatchObject({ path: "cam", active: true });

    const outside = await r.client("private");
    expect(await within(outside.closed, T, "the refusal outside the public prefix")).toMatchObject({
      code: ErrorCode.Unauthorized,
    });
  });
});

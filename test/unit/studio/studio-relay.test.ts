// The studio against relays it does not own: one that stops and comes back on the same port
// (reconnect, resubscribe, the tree returns), one whose publisher skips and resets groups (gaps
// become skipped bars and a finding, a reset shows its code), and URLs that cannot work.

import { afterEach, describe, expect, it } from "vitest";
import { BroadcastProducer, ErrorCode, Relay, TrackMux, connect } from "../../../main/moq/node.ts";
import type { Session, TrackProducer } from "../../../main/moq/node.ts";
import type { AppServices } from "../../../main/studio/app-services.ts";
import { startEmbeddedRelay } from "../../../main/studio/connections/embedded-relay.ts";
import type { EmbeddedRelay } from "../../../main/studio/connections/embedded-relay.ts";
import { createStudio } from "../../../main/studio/index.ts";
import { until } from "../../interop/fixtures.ts";
import { T, tempDir, untilView } from "./helpers.ts";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function studioFor(url: string | undefined): Promise<AppServices> {
  const dir = await tempDir();
  const studio = await createStudio({
    configDir: dir.path,
    appVersion: "0.0.0-test",
    host: "browser",
    embeddedDemo: false,
    url,
  });
  cleanups.push(() => dir.remove());
  cleanups.push(() => studio.close());
  return studio;
}

describe("studio reconnecting", () => {
  it("reconnects after the relay restarts on the same port, resubscribes, and the tree comes back", async () => {
    let relay: EmbeddedRelay = await startEmbeddedRelay(0);
    cleanups.push(() => relay.close());
    const port = relay.port;
    const studio = await studioFor(`ws://127.0.0.1:${port}/`);
    const connections = studio.openView("connections", {});
    const tree = studio.openView("tree", { connectionId: "default" });
    await untilView(tree, (nodes) => nodes.find((n) => n.key === "demo/clock" && n.active), "demo/clock announced");
    const { track } = await studio.handlers["track:subscribe"]({
      connectionId: "default",
      broadcast: "demo/clock",
      track: "clock",
    });
    const tracks = studio.openView("tracks", { connectionId: "default" });
    await untilView(tracks, (rows) => rows.find((r) => r.key === track && r.frames > 0), "clock frames");

    await relay.close();
    const retrying = await untilView(
      connections,
      (items) => items.find((c) => c.connectionId === "default" && c.status === "reconnecting"),
      "the connection to say reconnecting",
    );
    expect(retrying.error).toMatch(/lost the connection|closed/);
    expect(retrying.reconnect?.attempt).toBeGreaterThanOrEqual(1);
    expect(retrying.reconnect!.at).toBeGreaterThan(retrying.since - 1);
    await untilView(tree, (nodes) => nodes.find((n) => n.key === "demo/clock" && !n.active), "demo/clock ended");
    const framesBefore = tracks.get(track)!.frames;

    relay = await startEmbeddedRelay(port);
    const back = await untilView(
      connections,
      (items) => items.find((c) => c.connectionId === "default" && c.status === "connected"),
      "the connection to come back",
    );
    expect(back.error).toBeNull();
    expect(back.reconnect).toBeNull();
    await untilView(
      tree,
      (nodes) => nodes.find((n) => n.key === "demo/clock" && n.active),
      "demo/clock back in the tree",
    );
    const row = await untilView(
      tracks,
      (rows) => rows.find((r) => r.key === track && r.status === "active" && r.frames > framesBefore),
      "the clock track resubscribed",
    );
    // Event times come from the monotonic clock (performance), `since` from Date.now(): the two can
    // drift a few ms apart in a long process. The relay was down far longer than this margin.
    expect(row.latency.subscribeSentAt).toBeGreaterThanOrEqual(back.since - 50);
    const findings = studio.openView("findings", { connectionId: "default" }).items();
    expect(findings.find((f) => f.kind === "connection")).toMatchObject({ severity: "warning" });
  });

  it("fails without retrying for a URL that cannot work, in the CLI's words", async () => {
    const studio = await studioFor(undefined);
    await expect(async () => studio.handlers["connection:open"]({ url: "localhost:4443" })).rejects.toThrow(
      /has no scheme: try http:\/\/localhost:4443/,
    );
  });

  it("fails without retrying when the relay refuses the session, saying why", async () => {
    const relay = await Relay.start({
      host: "127.0.0.1",
      port: 0,
      http3: false,
      authorize: () => new Error("bad token"),
    });
    cleanups.push(() => relay.close());
    const studio = await studioFor(undefined);
    const { connectionId } = await studio.handlers["connection:open"]({
      url: `ws://127.0.0.1:${relay.port}/?jwt=WRONG`,
    });
    const failed = await untilView(
      studio.openView("connections", {}),
      (items) => items.find((c) => c.connectionId === connectionId && c.status === "failed"),
      "the refused connection to fail",
    );
    expect(failed.error).toMatch(/6 Unauthorized: not authorized/);
    expect(failed.error).not.toContain("WRONG");
    expect(failed.reconnect).toBeNull();
  });

  it("says so when the embedded relay's port is taken", async () => {
    const relay = await startEmbeddedRelay(0);
    cleanups.push(() => relay.close());
    const dir = await tempDir();
    cleanups.push(() => dir.remove());
    await expect(
      createStudio({ configDir: dir.path, appVersion: "0", host: "browser", embeddedDemo: true, demoPort: relay.port }),
    ).rejects.toThrow(/the embedded demo relay could not start: .*already in use/);
  });

  it("keeps the token out of summaries and errors, beside a second connection", async () => {
    const relay = await startEmbeddedRelay(0);
    cleanups.push(() => relay.close());
    const studio = await studioFor(undefined);
    const { connectionId } = await studio.handlers["connection:open"]({
      url: `ws://127.0.0.1:${relay.port}/?jwt=SECRET-TOKEN-123`,
    });
    const connections = studio.openView("connections", {});
    const summary = await untilView(
      connections,
      (items) => items.find((c) => c.connectionId === connectionId && c.status === "connected"),
      "the connection with a token to connect",
    );
    expect(JSON.stringify(summary)).not.toContain("SECRET-TOKEN-123");
    const rows = studio.openView("messages", { connectionId, limit: 2000 }).items();
    expect(JSON.stringify(rows)).not.toContain("SECRET-TOKEN-123");

    // A second connection to the same relay at the same time, with its own views.
    const second = await studio.handlers["connection:open"]({
      url: `ws://127.0.0.1:${relay.port}/`,
      protocol: "moq-lite-03",
    });
    expect(second.connectionId).not.toBe(connectionId);
    const other = await untilView(
      connections,
      (items) => items.find((c) => c.connectionId === second.connectionId && c.status === "connected"),
      "the second connection",
    );
    expect(other.version).toBe("moq-lite-03");
    const tree = studio.openView("tree", { connectionId: second.connectionId });
    const clock = await untilView(tree, (nodes) => nodes.find((n) => n.key === "demo/clock" && n.active), "03 tree");
    expect(clock.hops).toBeNull();
    expect(connections.get(connectionId)!.status).toBe("connected");
    await studio.handlers["connection:disconnect"]({ connectionId: second.connectionId });
    expect(connections.get(second.connectionId)!.status).toBe("closed");
    await studio.handlers["connection:close"]({ connectionId: second.connectionId });
    expect(connections.get(second.connectionId)).toBeUndefined();
  });
});

describe("studio and a publisher that skips and resets groups", () => {
  it("shows skipped bars and a gap finding, and a reset group with its code", async () => {
    const relay = await Relay.start({ host: "127.0.0.1", port: 0, http3: false });
    cleanups.push(() => relay.close());
    const mux = new TrackMux();
    const broadcast = new BroadcastProducer();
    const producer: TrackProducer = broadcast.createTrack("t", { maxCachedGroups: 1 });
    mux.publishBroadcast("gaps/test", broadcast);
    const publisher: Session = await connect(`ws://127.0.0.1:${relay.port}/`, {
      mux,
      transport: "websocket",
      timeoutMs: 10_000,
    });
    cleanups.push(() => publisher.close());

    const studio = await studioFor(`ws://127.0.0.1:${relay.port}/`);
    const tree = studio.openView("tree", { connectionId: "default" });
    await untilView(tree, (nodes) => nodes.find((n) => n.key === "gaps/test" && n.active), "gaps/test announced");
    const { track } = await studio.handlers["track:subscribe"]({
      connectionId: "default",
      broadcast: "gaps/test",
      track: "t",
    });
    const tracks = studio.openView("tracks", { connectionId: "default" });
    // 05 accepts implicitly, with the first group: wait for the relay's subscription to reach us.
    await until(() => producer.consumerCount > 0, T, "the relay's upstream subscription");
    const timeline = studio.openView("timeline", { connectionId: "default" });

    const sendGroup = async (sequence: number) => {
      const group = producer.openGroup(sequence);
      group.writeFrame(new TextEncoder().encode(`group ${sequence}`));
      group.close();
      await untilView(
        timeline,
        (bars) => bars.find((b) => b.key === `${track}#${sequence}` && b.status === "complete"),
        `group ${sequence} to complete`,
      );
    };
    await sendGroup(0);
    await sendGroup(1);
    // 2 and 3 are never sent: once 4 has arrived complete, they are lost.
    await sendGroup(4);
    const bars = await untilView(
      timeline,
      (items) => {
        const skipped = items.filter((b) => b.track === track && b.status === "skipped");
        return skipped.length === 2 ? skipped : undefined;
      },
      "skipped bars for groups 2 and 3",
    );
    expect(bars.map((b) => b.sequence)).toEqual([2, 3]);
    expect(bars[0]).toMatchObject({ frames: 0, bytes: 0, stream: null });
    const findings = studio.openView("findings", { connectionId: "default" });
    const gap = await untilView(findings, (items) => items.find((f) => f.kind === "gap"), "a gap finding");
    expect(gap).toMatchObject({ severity: "warning", subject: track, link: { track, sequence: 2 } });
    expect(gap.text).toMatch(/groups 2–3 never arrived/);
    const row = tracks.get(track)!;
    expect(row.lost).toBe(2);
    expect(row.flags).toContain("lost 2");

    // A group the publisher aborts mid-way reaches us reset, with a code.
    const aborted = producer.openGroup(5);
    aborted.writeFrame(new TextEncoder().encode("part of group 5"));
    await untilView(
      timeline,
      (items) => items.find((b) => b.key === `${track}#5` && b.frames === 1),
      "group 5's frame",
    );
    aborted.closeWithError(ErrorCode.Cancelled, "test abort");
    const reset = await untilView(
      timeline,
      (items) => items.find((b) => b.key === `${track}#5` && b.status === "reset"),
      "group 5 reset",
      T,
    );
    expect(reset.code).not.toBeNull();
    expect(reset.codeName).toMatch(new RegExp(`^${reset.code} `));
    const finding = await untilView(findings, (items) => items.find((f) => f.kind === "reset"), "a reset finding");
    expect(finding.link).toEqual({ track, sequence: 5 });
    expect(tracks.get(track)!.resets).toBe(1);
  });
});

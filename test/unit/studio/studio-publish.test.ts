// Publishing from the studio through the embedded relay on 127.0.0.1: the test video and a camera
// broadcast (frames as the Publish view sends them) go out on the default connection, and a second
// connection to the same relay subscribes and sees the groups, the catalog and the timestamps.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppServices } from "../../../main/studio/app-services.ts";
import { createStudio } from "../../../main/studio/index.ts";
import { T, tempDir, untilView } from "./helpers.ts";

describe("publishing from the studio", () => {
  let studio: AppServices;
  let dir: { path: string; remove(): Promise<void> };
  let watcher: string;

  beforeAll(async () => {
    dir = await tempDir();
    studio = await createStudio({ configDir: dir.path, appVersion: "0.0.0-test", host: "browser", embeddedDemo: true });
    const connections = studio.openView("connections", {});
    const demo = await untilView(
      connections,
      (items) => items.find((c) => c.connectionId === "default" && c.status === "connected"),
      "the default connection",
    );
    // A second connection to the same relay watches what the first one publishes.
    ({ connectionId: watcher } = await studio.handlers["connection:open"]({ url: demo.url }));
    await untilView(
      connections,
      (items) => items.find((c) => c.connectionId === watcher && c.status === "connected"),
      "the watching connection",
    );
  }, T);

  afterAll(async () => {
    await studio?.close();
    await dir?.remove();
  });

  it(
    "publishes the test video: announced, subscribed through the relay, groups counted on both ends",
    async () => {
      const { publicationId } = await studio.handlers["publish:start"]({
        connectionId: "default",
        kind: "test-video",
        broadcast: "e2e/test.hang",
        bitrate: 500_000,
      });
      const tree = studio.openView("tree", { connectionId: watcher });
      await untilView(
        tree,
        (items) => items.find((n) => n.key === "e2e/test.hang" && n.active),
        "the broadcast announced",
      );
      const { track } = await studio.handlers["track:subscribe"]({
        connectionId: watcher,
        broadcast: "e2e/test.hang",
        track: "video/synthetic",
      });
      const timeline = studio.openView("timeline", { connectionId: watcher });
      await untilView(
        timeline,
        (bars) => bars.find((b) => b.track === track && b.status === "complete"),
        "a complete group",
      );
      const publications = studio.openView("publications", { connectionId: "default" });
      const row = await untilView(
        publications,
        (rows) => rows.find((r) => r.key === publicationId && r.subscribers > 0 && r.groups > 1 && r.bitrate > 0),
        "the publication's figures",
      );
      expect(row).toMatchObject({ kind: "test-video", broadcast: "e2e/test.hang", status: "live" });
      expect(row.tracks).toEqual(expect.arrayContaining(["catalog.json", "video/synthetic"]));
      expect(row.detail).toContain("500 kbit/s");
      await expect(
        (async () =>
          studio.handlers["publish:start"]({ connectionId: "default", kind: "clock", broadcast: "e2e/test.hang" }))(),
      ).rejects.toThrow(/already published on this connection/);

      await studio.handlers["publish:stop"]({ connectionId: "default", publicationId });
      await untilView(
        tree,
        (items) => items.find((n) => n.key === "e2e/test.hang" && !n.active),
        "the broadcast ended",
      );
      await untilView(
        publications,
        (rows) => rows.find((r) => r.key === publicationId && r.status === "ended"),
        "ended",
      );
    },
    T,
  );

  it(
    "publishes camera frames as a hang broadcast: catalog, one GOP per group, timestamps as sent",
    async () => {
      const { publicationId } = await studio.handlers["publish:camera"]({
        connectionId: "default",
        broadcast: "e2e/cam.hang",
        codec: "vp8",
        width: 320,
        height: 240,
        framerate: 10,
        bitrate: 200_000,
      });
      const send = async (keyframe: boolean, timestampUs: number, bytes: number) =>
        studio.handlers["publish:frame"]({
          connectionId: "default",
          publicationId,
          keyframe,
          timestampUs,
          data: Buffer.alloc(bytes, keyframe ? 0xaa : 0x55).toString("base64"),
        });
      await expect(send(false, 1, 10)).rejects.toThrow(/first camera frame must be a keyframe/);

      // As in the app: the broadcast shows in the tree, then it is opened.
      const tree = studio.openView("tree", { connectionId: watcher });
      await untilView(tree, (items) => items.find((n) => n.key === "e2e/cam.hang" && n.active), "the camera announced");
      const broadcast = studio.openView("broadcast", { connectionId: watcher, broadcast: "e2e/cam.hang" });
      const info = await untilView(
        broadcast,
        (items) => (items[0]?.renditions.length ? items[0] : undefined),
        "the catalog",
      );
      expect(info.renditions).toEqual([
        expect.objectContaining({ track: "video/hd", kind: "video", codec: "vp8", width: 320, height: 240 }),
      ]);
      const publications = studio.openView("publications", { connectionId: "default" });
      const readers = publications.get(publicationId)!.subscribers;
      const { track } = await studio.handlers["track:subscribe"]({
        connectionId: watcher,
        broadcast: "e2e/cam.hang",
        track: "video/hd",
      });
      // 05 accepts implicitly, with the first group: wait for the relay's subscription to reach us.
      await untilView(
        publications,
        (rows) => rows.find((r) => r.key === publicationId && r.subscribers > readers),
        "the relay's subscription to the camera",
      );

      // Two GOPs of three frames, 100 ms apart, then the start of a third so the second one closes.
      // A live subscriber starts at the newest group, so like a real camera each GOP waits until the
      // previous one is under way at the subscriber.
      const timeline = studio.openView("timeline", { connectionId: watcher });
      const base = 5_000_000;
      for (let i = 0; i < 7; i++) {
        await send(i % 3 === 0, base + i * 100_000, i % 3 === 0 ? 3000 : 400);
        if (i % 3 === 2 || i === 6) {
          const groups = Math.floor(i / 3) + 1;
          await untilView(
            timeline,
            (items) => items.filter((b) => b.track === track).length >= groups || undefined,
            `group ${groups}`,
          );
        }
      }
      await expect(send(false, base, 10)).rejects.toThrow(/timestamps must rise/);

      const bars = await untilView(
        timeline,
        (items) => {
          const complete = items.filter((b) => b.track === track && b.status === "complete");
          return complete.length >= 2 ? complete : undefined;
        },
        "two complete GOPs",
      );
      expect(bars[0]!.frames).toBe(3);
      const frames = await studio.handlers["group:frames"]({
        connectionId: watcher,
        track,
        sequence: bars[0]!.sequence,
      });
      expect(frames.map((f) => f.timestampUs)).toEqual([base, base + 100_000, base + 200_000]);
      // moq-lite-06 carries the same capture times on the wire, in the camera track's µs timescale.
      expect(frames.map((f) => f.wire)).toEqual(
        [base, base + 100_000, base + 200_000].map((timestamp) => ({ timestamp, timescale: 1_000_000 })),
      );
      expect(frames[0]!.keyframe).toBe(true);

      const row = await untilView(
        publications,
        (rows) => rows.find((r) => r.key === publicationId && r.frames === 7 && r.status === "live"),
        "the camera's figures",
      );
      expect(row).toMatchObject({ groups: 3, detail: "VP8 320×240 at 10 fps, 200 kbit/s" });
      await studio.handlers["publish:stop"]({ connectionId: "default", publicationId });
      await expect(send(true, base + 10_000_000, 10)).rejects.toThrow(/was stopped/);
    },
    T,
  );
});

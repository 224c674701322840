// What one connection publishes: a mux the connection hands to every session it opens (so a
// publication survives reconnects: the new session announces it again), the running publications,
// and their rows for the Publish view, refreshed once a second. A stopped publication stays listed
// for a minute, so its last figures can still be read.

import { toPath, TrackMux } from "../../moq/index.ts";
import type { BroadcastProducer } from "../../moq/index.ts";
import type { PublicationKind, PublicationRow } from "../../ipc/contract.ts";
import { ClockBroadcast } from "../demo/clock.ts";
import { DEFAULT_VIDEO_CONFIG } from "../demo/video-frames.ts";
import { startVideoDemo } from "../demo/video.ts";
import { LiveCollection } from "../live/collection.ts";
import { CameraBroadcast, codecName, type CameraSettings } from "./camera.ts";
import { PublishTally } from "./tally.ts";

const ENDED_KEPT_MS = 60_000;

interface Running {
  row: PublicationRow;
  broadcast: BroadcastProducer;
  tally: PublishTally;
  camera?: CameraBroadcast;
  stop(): void;
  endedAt?: number;
}

export class Publications {
  readonly mux = new TrackMux();
  readonly view = new LiveCollection<PublicationRow>();
  readonly #running = new Map<string, Running>();
  #counter = 0;
  #timer: ReturnType<typeof setInterval> | undefined;

  /** Start a clock or the synthetic hang video at `broadcast`. */
  start(kind: "clock" | "test-video", broadcastPath: string, bitrate?: number): string {
    const path = this.#freePath(broadcastPath);
    const tally = new PublishTally();
    let running: Omit<Running, "row">;
    let detail: string;
    if (kind === "clock") {
      const clock = new ClockBroadcast({
        onFrame: (frame, _group, index) => tally.frame(frame.byteLength, index === 0),
      });
      this.mux.publishBroadcast(path, clock.broadcast);
      clock.start();
      running = { broadcast: clock.broadcast, tally, stop: () => clock.stop() };
      detail = "text, the UTC time once a second, a group a minute";
    } else {
      const config = { ...DEFAULT_VIDEO_CONFIG, ...(bitrate ? { bitrate } : {}) };
      const video = startVideoDemo(
        this.mux,
        path,
        () => Date.now(),
        config,
        (bytes, newGroup) => tally.frame(bytes, newGroup),
      );
      running = { broadcast: video.broadcast, tally, stop: () => video.stop() };
      detail = `synthetic H.264-shaped ${config.width}×${config.height} at ${config.fps} fps, ${mbits(config.bitrate)}`;
    }
    return this.#add(kind, path, detail, running);
  }

  /** Start a camera broadcast; frames come through frame(). */
  camera(broadcastPath: string, settings: CameraSettings): string {
    const path = this.#freePath(broadcastPath);
    const camera = new CameraBroadcast(settings);
    this.mux.publishBroadcast(path, camera.broadcast);
    const detail = `${codecName(settings.codec)} ${settings.width}×${settings.height} at ${settings.framerate} fps, ${mbits(settings.bitrate)}`;
    return this.#add("camera", path, detail, {
      broadcast: camera.broadcast,
      tally: camera.tally,
      camera,
      stop: () => camera.stop(),
    });
  }

  /** One encoded camera frame for publication `id`. */
  frame(id: string, keyframe: boolean, timestampUs: number, data: Uint8Array): void {
    const running = this.#running.get(id);
    if (!running?.camera) throw new Error(`no camera publication "${id}" here (was it stopped?)`);
    if (running.endedAt !== undefined) throw new Error(`the camera publication "${running.row.broadcast}" was stopped`);
    running.camera.write(keyframe, timestampUs, data);
  }

  stop(id: string): void {
    const running = this.#running.get(id);
    if (!running) throw new Error(`no publication "${id}" here`);
    if (running.endedAt !== undefined) return;
    running.stop();
    running.endedAt = Date.now();
    this.#refresh(running);
  }

  /** Stop everything (the connection is closing). */
  close(): void {
    for (const id of this.#running.keys()) this.stop(id);
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #add(kind: PublicationKind, path: string, detail: string, running: Omit<Running, "row">): string {
    const id = `p${++this.#counter}`;
    const entry: Running = {
      ...running,
      row: {
        key: id,
        kind,
        broadcast: path,
        tracks: running.broadcast.trackNames(),
        status: kind === "camera" ? "waiting" : "live",
        detail,
        startedAt: Date.now(),
        groups: 0,
        frames: 0,
        bytes: 0,
        bitrate: 0,
        subscribers: 0,
      },
    };
    this.#running.set(id, entry);
    this.view.set(entry.row);
    this.#timer ??= setInterval(() => this.#tick(), 1000);
    return id;
  }

  #tick(): void {
    const now = Date.now();
    for (const [id, running] of this.#running) {
      if (running.endedAt !== undefined && now - running.endedAt > ENDED_KEPT_MS) {
        this.#running.delete(id);
        this.view.delete(id);
        continue;
      }
      this.#refresh(running);
    }
    if (this.#running.size === 0) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }

  #refresh(running: Running): void {
    const { tally, broadcast } = running;
    const ended = running.endedAt !== undefined;
    let subscribers = 0;
    if (!ended) {
      for (const name of broadcast.trackNames()) subscribers += broadcast.getTrack(name)?.consumerCount ?? 0;
    }
    running.row = {
      ...running.row,
      status: ended ? "ended" : running.camera && !running.camera.started ? "waiting" : "live",
      groups: tally.groups,
      frames: tally.frames,
      bytes: tally.bytes,
      bitrate: ended ? 0 : tally.sample(),
      subscribers,
    };
    this.view.set(running.row);
  }

  /** The path asked for, refused when this connection already publishes it. */
  #freePath(asked: string): string {
    const path = toPath(asked.trim(), "the broadcast name");
    if (path === "") throw new Error("name the broadcast to publish (a path such as moqscope/camera.hang)");
    for (const running of this.#running.values()) {
      if (running.row.broadcast === path && running.endedAt === undefined) {
        throw new Error(`"${path}" is already published on this connection: stop it first or pick another name`);
      }
    }
    return path;
  }
}

function mbits(bitsPerSecond: number): string {
  return bitsPerSecond >= 1e6
    ? `${(bitsPerSecond / 1e6).toFixed(1)} Mbit/s`
    : `${Math.round(bitsPerSecond / 1e3)} kbit/s`;
}

// The studio: what the app's hosts (the Electron window, `moqscope ui`) serve. It holds the saved
// profiles, the open connections (live ones and recordings being browsed), the embedded demo
// relay, and answers every request and view of main/ipc/contract.ts.

import { basename, dirname, join, resolve } from "node:path";
import { stat } from "node:fs/promises";
import type {
  ConnectionSummary,
  InvokeHandlers,
  OpenConnectionRequest,
  RecordingFile,
  ViewItem,
  ViewName,
  ViewParams,
} from "../ipc/contract.ts";
import type { AppServices } from "./app-services.ts";
import { Connection } from "./connections/connection.ts";
import { startEmbeddedRelay } from "./connections/embedded-relay.ts";
import type { EmbeddedRelay } from "./connections/embedded-relay.ts";
import { Replay } from "./connections/replay.ts";
import { targetFromUrl } from "./connections/target.ts";
import type { ConnectTarget } from "./connections/target.ts";
import { LiveCollection } from "./live/collection.ts";
import type { ViewSource } from "./live/collection.ts";
import { singleItemView } from "./live/single-item.ts";
import { ProfileStore } from "./profiles/store.ts";
import { listRecordings, readRecording, readRecordingHeader, RecordingWriter } from "./record/index.ts";

export interface StudioOptions {
  configDir: string;
  appVersion: string;
  host: "electron" | "browser";
  /** Start the embedded relay on 127.0.0.1 with the demo broadcasts and open "default" to it. */
  embeddedDemo: boolean;
  /** Otherwise open this URL as "default" (when given). */
  url?: string;
  /** Where recordings go; default `<configDir>/recordings`. */
  recordingsDir?: string;
  /** The embedded relay's port; default any free one. */
  demoPort?: number;
}

export const DEFAULT_CONNECTION_ID = "default";
export const DEMO_PROFILE_NAME = "Local demo";

type Open = Connection | Replay;

export async function createStudio(options: StudioOptions): Promise<AppServices> {
  const recordingsDir = options.recordingsDir ?? join(options.configDir, "recordings");
  const relay: EmbeddedRelay | undefined = options.embeddedDemo
    ? await startEmbeddedRelay(options.demoPort)
    : undefined;
  const demoUrl = relay?.url ?? `http://127.0.0.1:${options.demoPort ?? 4443}/`;
  let profiles: ProfileStore;
  try {
    profiles = await ProfileStore.open(options.configDir, { name: DEMO_PROFILE_NAME, url: demoUrl });
  } catch (err) {
    await relay?.close();
    throw err;
  }

  const summaries = new LiveCollection<ConnectionSummary>();
  const open = new Map<string, Open>();
  const writers = new Map<string, RecordingWriter>();
  let counter = 0;
  const nextId = (prefix: string) => {
    let id: string;
    do id = `${prefix}${++counter}`;
    while (open.has(id));
    return id;
  };

  const find = (connectionId: string): Open => {
    const c = open.get(connectionId);
    if (!c) throw new Error(`no connection named "${connectionId}" (it was closed)`);
    return c;
  };
  const live = (connectionId: string): Connection => {
    const c = find(connectionId);
    if (c instanceof Replay) {
      throw new Error(`"${c.label}" is a recording being browsed: it cannot subscribe, probe, record or connect`);
    }
    return c;
  };

  const openLive = (id: string, target: ConnectTarget, label: string, profileId: string | null): Connection => {
    const connection = new Connection(id, target, { label, profileId, onSummary: (s) => summaries.set(s) });
    open.set(id, connection);
    summaries.set(connection.summary());
    connection.start();
    return connection;
  };

  const targetOf = (
    request: OpenConnectionRequest,
  ): { target: ConnectTarget; label: string; profileId: string | null } => {
    if ("profileId" in request) {
      const p = profiles.get(request.profileId);
      if (!p) throw new Error(`no saved profile "${request.profileId}" (was it deleted?)`);
      const target = targetFromUrl(p.url, {
        transport: p.transport,
        protocol: p.protocol,
        trust: p.trust,
        token: p.token,
      });
      return { target, label: p.name, profileId: p.id };
    }
    const target = targetFromUrl(request.url, request);
    return { target, label: new URL(target.url).host, profileId: null };
  };

  const stopRecording = async (connection: Connection): Promise<RecordingFile> => {
    const writer = writers.get(connection.id);
    if (!writer) throw new Error(`"${connection.label}" is not recording`);
    writers.delete(connection.id);
    connection.stopRecording();
    return writer.close();
  };

  const closeOne = async (id: string): Promise<void> => {
    const c = find(id);
    if (c instanceof Connection && writers.has(id)) await stopRecording(c);
    c.close();
    open.delete(id);
    summaries.delete(id);
  };

  const handlers: InvokeHandlers = {
    "app:info": () => ({
      version: options.appVersion,
      platform: process.platform,
      host: options.host,
      configDir: options.configDir,
      problems: profiles.problem ? [profiles.problem] : [],
    }),
    "profiles:save": (input) => profiles.save(input),
    "profiles:delete": ({ id }) => profiles.delete(id),
    "connection:open": (request) => {
      const { target, label, profileId } = targetOf(request);
      const connection = openLive(nextId("c"), target, label, profileId);
      return { connectionId: connection.id };
    },
    "connection:connect": ({ connectionId, url }) => {
      const connection = live(connectionId);
      if (url === undefined) return connection.start();
      const typed = targetFromUrl(url, { ...connection.target, token: undefined });
      // A URL without its own ?jwt= keeps the token this connection already has.
      connection.start({ ...typed, token: typed.token ?? connection.target.token });
    },
    "connection:disconnect": ({ connectionId }) => live(connectionId).disconnect(),
    "connection:close": ({ connectionId }) => closeOne(connectionId),
    "track:subscribe": ({ connectionId, broadcast, track }) => ({
      track: live(connectionId).subscribe(broadcast, track),
    }),
    "track:unsubscribe": ({ connectionId, track }) => live(connectionId).unsubscribe(track),
    "group:frames": ({ connectionId, track, sequence }) => find(connectionId).observation.groupFrames(track, sequence),
    "frame:open": ({ connectionId, track, sequence, index }) =>
      find(connectionId).observation.openFrame(track, sequence, index),
    "probe:start": ({ connectionId, targetBitrate }) => live(connectionId).startProbe(targetBitrate),
    "probe:stop": ({ connectionId }) => live(connectionId).stopProbe(),
    "recording:start": async ({ connectionId }) => {
      const connection = live(connectionId);
      if (writers.has(connectionId)) throw new Error(`"${connection.label}" is already recording`);
      const startedAt = Date.now();
      const writer = await RecordingWriter.create(recordingsDir, {
        label: connection.label,
        url: connection.target.url,
        startedAt,
        appVersion: options.appVersion,
      });
      writers.set(connectionId, writer);
      connection.startRecording(writer);
      return { name: basename(writer.path), path: writer.path, bytes: writer.bytes, modifiedAt: startedAt };
    },
    "recording:stop": ({ connectionId }) => stopRecording(live(connectionId)),
    "recording:list": () => listRecordings(recordingsDir),
    "recording:open": async ({ path: asked }) => {
      // The UI is untrusted: it may open what the recordings folder lists, not any file on disk.
      const path = resolve(recordingsDir, asked);
      if (dirname(path) !== resolve(recordingsDir)) {
        throw new Error(`only recordings in ${recordingsDir} can be opened; copy ${basename(asked)} there first`);
      }
      await stat(path).catch((err: unknown) => {
        throw new Error(`cannot open the recording ${path}: ${(err as Error).message}`, { cause: err });
      });
      const header = await readRecordingHeader(path);
      const replay = new Replay(nextId("r"), { label: `${header.label} (${basename(path)})`, url: header.url }, path);
      open.set(replay.id, replay);
      summaries.set(replay.summary());
      try {
        await replay.load(readRecording(path));
      } catch (err) {
        open.delete(replay.id);
        summaries.delete(replay.id);
        throw err;
      }
      summaries.set(replay.summary());
      return { connectionId: replay.id };
    },
    "publish:start": ({ connectionId, kind, broadcast, bitrate }) => ({
      connectionId,
      publicationId: live(connectionId).publications.start(kind, broadcast, bitrate),
    }),
    "publish:camera": ({ connectionId, broadcast, ...settings }) => ({
      connectionId,
      publicationId: live(connectionId).publications.camera(broadcast, settings),
    }),
    "publish:frame": ({ connectionId, publicationId, keyframe, timestampUs, data }) =>
      live(connectionId).publications.frame(publicationId, keyframe, timestampUs, Buffer.from(data, "base64")),
    "publish:stop": ({ connectionId, publicationId }) => live(connectionId).publications.stop(publicationId),
  };

  function openView<V extends ViewName>(view: V, params: ViewParams<V>): ViewSource<ViewItem<V>> {
    const source = viewOf(view, params as never);
    return source as unknown as ViewSource<ViewItem<V>>;
  }

  function viewOf(view: ViewName, params: { connectionId: string; broadcast: string } & Record<string, never>) {
    switch (view) {
      case "connections":
        return summaries;
      case "profiles":
        return profiles.view;
    }
    const c = find(params.connectionId);
    const o = c.observation;
    switch (view) {
      case "tree":
        return o.tree.view;
      case "tracks":
        return o.tracks.tracks;
      case "timeline":
        return o.tracks.timeline;
      case "stats":
        return o.stats.view;
      case "findings":
        return o.findings.view;
      case "publications":
        // A recording being browsed publishes nothing.
        return c instanceof Connection ? c.publications.view : new LiveCollection();
      case "messages": {
        const p = params as unknown as ViewParams<"messages">;
        return o.messages.view(p.filter, p.limit);
      }
      case "broadcast": {
        const broadcast = params.broadcast;
        o.catalogs.ensure(broadcast);
        if (c instanceof Connection) c.holdCatalog(broadcast);
        return singleItemView(o.catalogs.view, broadcast, () => {
          if (c instanceof Connection && open.get(c.id) === c) c.releaseCatalog(broadcast);
        });
      }
    }
  }

  // The connection the app opens at start.
  if (relay) {
    const p = profiles.get("local-demo");
    const target = targetFromUrl(relay.url, p ? { transport: p.transport, protocol: p.protocol, trust: p.trust } : {});
    openLive(DEFAULT_CONNECTION_ID, target, p?.name ?? DEMO_PROFILE_NAME, "local-demo");
  } else if (options.url) {
    const target = targetFromUrl(options.url);
    openLive(DEFAULT_CONNECTION_ID, target, new URL(target.url).host, null);
  }

  return {
    handlers,
    openView,
    async close() {
      for (const id of [...open.keys()]) await closeOne(id).catch(() => {});
      await relay?.close();
    },
  };
}

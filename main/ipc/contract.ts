// The one contract between the main process and the UI. Electron carries it over a MessagePort,
// `moqscope ui` over a local WebSocket; the renderer never knows which one it talks to.
//
// Two halves: requests (`invoke`, one answer each) and views (`watch`, a snapshot then coalesced
// deltas with sequence numbers, a few per second, until `unwatch`). The app services in
// main/studio produce the view items below; main/ipc validates and carries them.
//
// This file is shared verbatim with the preload, the renderer and main/studio (type-only there),
// so it holds types and nothing else: no imports, no Node or DOM types, no runtime code.

/** Times are milliseconds since the Unix epoch (fractional) unless a name says otherwise. */
export type EpochMs = number;

/** What the app is and where it runs. */
export interface AppInfo {
  /** The app's version (package.json `version`). */
  version: string;
  /** The operating system as Node names it: "linux", "darwin", "win32", … */
  platform: string;
  /** Which host serves the UI: the Electron window or `moqscope ui` in a browser. */
  host: "electron" | "browser";
  /** Where profiles and recordings live. */
  configDir: string;
  /** What was found wrong at start, for the person to read (e.g. a corrupt profiles file kept aside). */
  problems: string[];
}

// ---------------------------------------------------------------------------------------------
// Profiles and connections

/** How to reach a relay: "auto" tries WebTransport then falls back to WebSocket, as the CLI does. */
export type TransportChoice = "auto" | "webtransport" | "webtransport-h3" | "webtransport-h2" | "websocket";

/** How the relay's certificate is trusted (an `http://` URL fetches the dev fingerprint itself). */
export type TrustChoice = { kind: "system" } | { kind: "fingerprint"; sha256: string } | { kind: "insecure" };

/** A saved way to connect. The JWT stays in main: the UI only learns whether one is set. */
export interface Profile {
  /** The same as `id`: every view item is keyed by `key`. */
  key: string;
  id: string;
  name: string;
  /** The relay URL without its `jwt` parameter. */
  url: string;
  transport: TransportChoice;
  /** "auto" or one protocol version name ("moq-lite-04", "moq-lite-03", …). */
  protocol: string;
  trust: TrustChoice;
  hasToken: boolean;
  /** The local demo relay the app starts with; it cannot be deleted. */
  builtIn: boolean;
}

/** A profile as the UI edits it. `token`: a string sets it, null clears it, absent keeps it. */
export interface ProfileInput {
  id?: string;
  name: string;
  url: string;
  transport: TransportChoice;
  protocol: string;
  trust: TrustChoice;
  token?: string | null;
}

/** Where a connection is in its life. */
export type ConnectionStatus = "idle" | "connecting" | "connected" | "reconnecting" | "closed" | "failed";

/** How the bytes travel; the same names as the library's transport kinds. */
export type TransportKind = "websocket" | "webtransport-h2" | "webtransport-h3";

/** One open connection (a tab in the UI): a live session to a relay, or a recording being browsed. */
export interface ConnectionSummary {
  /** The same as `connectionId`: views key their items by `key`. */
  key: string;
  /** Unique while the app runs; "default" is the one the app opens at start. */
  connectionId: string;
  profileId: string | null;
  /** What the tab says: the profile's name, else the host, else the recording's file name. */
  label: string;
  status: ConnectionStatus;
  /** The relay URL without its jwt. */
  url: string;
  /** Negotiated protocol version ("moq-lite-04"), once connected. */
  version: string | null;
  transport: TransportKind | null;
  /** Why transports tried before `transport` were passed over ("HTTP/3: …"); [] when none were. */
  fallback: string[];
  /** Smoothed round-trip time and the latest single sample, in ms, when known. */
  rttMs: number | null;
  rttLatestMs: number | null;
  /** Why the connection failed, closed or is retrying, in the CLI's words; null otherwise. */
  error: string | null;
  /** While reconnecting: which attempt comes next and when. */
  reconnect: { attempt: number; at: EpochMs } | null;
  /** When `status` last changed. */
  since: EpochMs;
  /** When the current (or last) session was established: times in the UI are relative to it. */
  connectedAt: EpochMs | null;
  /** A recording opened for browsing: nothing can be subscribed or changed. */
  readOnly: boolean;
  /** The recording being written, if any. */
  recording: { path: string; bytes: number; startedAt: EpochMs } | null;
  /** The bitrate probe: whether the peer answers it, and its last estimate. */
  probe: { state: "off" | "waiting" | "reporting" | "unsupported"; note: string | null; bitrate: number | null };
  /** moq-lite-05+: what the peer's SETUP said; null before 05 or until it came. */
  peer: PeerSetup | null;
}

/** A moq-lite-05+ SETUP: probe level (0 none, 1 report, 2 increase), role (0 both, 1 publisher,
 * 2 subscriber), and on 06 the peer's hop id and the price of the link to it. */
export interface PeerSetup {
  probe: number;
  role: number;
  hop: number | null;
  cost: number | null;
}

// ---------------------------------------------------------------------------------------------
// View items. Every view is a keyed collection; deltas upsert items by `key` and remove keys.

/** One node of the announcement tree: a path segment, perhaps itself an announced broadcast. */
export interface TreeNode {
  /** The full path ("demo/clock"); "" is never a node. */
  key: string;
  /** The last segment ("clock"). */
  name: string;
  /** The parent node's key, or null at the top. */
  parent: string | null;
  depth: number;
  /** Whether this path itself was announced (a broadcast), as opposed to only a prefix of some. */
  broadcast: boolean;
  /** Announced and not ended (for a broadcast node). */
  active: boolean;
  /** Active broadcasts at or below this node. */
  activeCount: number;
  /** Broadcasts ever seen at or below this node (ended ones kept for a while). */
  totalCount: number;
  /** Relay hop ids (moq-lite-04) or just their count (03: ids unknown, shown as count). */
  hops: number[] | null;
  hopCount: number | null;
  /** moq-lite-06: what pulling the broadcast this way costs (summed per link); null before 06. */
  cost: number | null;
  announcedAt: EpochMs | null;
  endedAt: EpochMs | null;
  /** Last time anything at or below changed: the UI flashes recent changes. */
  changedAt: EpochMs;
}

export type TrackStatus = "subscribing" | "active" | "ended" | "failed";

/** The latency of a subscription's start, each step in ms after SUBSCRIBE was sent. */
export interface SubscribeLatency {
  subscribeSentAt: EpochMs;
  okMs: number | null;
  firstGroupMs: number | null;
  firstFrameMs: number | null;
}

/** One subscribed track (a row of the Tracks view, a lane of the Timeline). */
export interface TrackRow {
  /** The track id, unique within its connection. */
  key: string;
  broadcast: string;
  track: string;
  status: TrackStatus;
  /** Why it failed or ended, in words (with the error code's name). */
  error: string | null;
  latency: SubscribeLatency;
  groups: number;
  frames: number;
  bytes: number;
  /** Over the last second. */
  groupsPerSecond: number;
  bitrate: number;
  latestGroup: number | null;
  lastFrameAt: EpochMs | null;
  /** Groups confirmed lost, reset by the peer, and arrived after a later one. */
  lost: number;
  resets: number;
  outOfOrder: number;
  /** Hang media: the catalog's declared bitrate and the latest delivery delay (arrival − timestamp). */
  hang: {
    kind: "video" | "audio" | "catalog" | "other";
    catalogBitrate: number | null;
    deliveryDelayMs: number | null;
    timescale: number;
  } | null;
  /** Short words for what is notable: "lost 3", "stalled", "reset 18", … */
  flags: string[];
  /** 05+: the track's properties from TRACK_INFO; null before it arrived or on older versions. */
  info: TrackInfoSummary | null;
}

/** What TRACK_INFO says about a track. */
export interface TrackInfoSummary {
  /** Frame timestamp units per second. */
  timescale: number;
  /** The publisher's retention window: groups further behind the newest are stale. */
  maxAgeMs: number;
  /** The publisher's priority, which breaks ties between subscriptions of equal priority. */
  priority: number;
}

export type GroupStatus = "arriving" | "complete" | "reset" | "skipped" | "out-of-order";

/** One group on the timeline: a bar from its first byte to its last. */
export interface GroupBar {
  /** `${track}#${sequence}`. */
  key: string;
  track: string;
  sequence: number;
  /** Skipped groups never arrived: both times are when the gap was confirmed. */
  firstByteAt: EpochMs;
  lastByteAt: EpochMs;
  frames: number;
  bytes: number;
  status: GroupStatus;
  /** The reset code, with its name. */
  code: number | null;
  codeName: string | null;
  /** Our stream number, for the message log's filter. */
  stream: number | null;
  /** moq-lite-05+: the group came in a QUIC datagram, not on a stream. */
  datagram: boolean;
  /** moq-lite-05+: the wire timestamps of the first and last frame read, at the track's timescale. */
  wire: { first: number; last: number; timescale: number } | null;
}

/** A moq-lite-05+ frame timestamp: `timestamp` ticks of a clock running at `timescale` per second. */
export interface WireTimestamp {
  timestamp: number;
  timescale: number;
}

/** One frame of a group, as the inspector lists it (the payload comes separately). */
export interface FrameMeta {
  index: number;
  size: number;
  at: EpochMs;
  /** Hang: the presentation timestamp in microseconds and whether it starts a GOP. */
  timestampUs: number | null;
  keyframe: boolean | null;
  /** moq-lite-05+: the frame's own timestamp on the wire, in `timescale` units per second. */
  wire: WireTimestamp | null;
  /** Whether the payload is still kept (the inspector keeps recent frames only). */
  kept: boolean;
}

/** A frame opened in the inspector: its bytes, capped, and what hang knows about it. */
export interface FramePayload {
  track: string;
  sequence: number;
  index: number;
  size: number;
  /** The first `cap` bytes, base64. */
  base64: string;
  truncated: boolean;
  timestampUs: number | null;
  keyframe: boolean | null;
  wire: WireTimestamp | null;
  /** For video frames: the NAL units found (type number, its name, size). */
  nalUnits: { type: number; name: string; size: number }[] | null;
}

/** One second of a connection's counters. */
export interface StatsSample {
  /** String(at). */
  key: string;
  at: EpochMs;
  rttMs: number | null;
  rttLatestMs: number | null;
  bytesSent: number;
  bytesReceived: number;
  sendBitrate: number;
  recvBitrate: number;
  /** Payload bytes of received frames per second, as bits/s: what was actually delivered. */
  goodput: number;
  /** The peer's probe estimate at this moment, if it reports one. */
  probeBitrate: number | null;
  /** Streams open and resets seen so far, messages so far. */
  streams: number;
  resets: number;
  messages: number;
}

export type MessageDirection = "sent" | "received" | "local";

/** One row of the message log: a control message, a stream event, a group or a frame. */
export interface MessageRow {
  /** String(id). */
  key: string;
  /** 1, 2, … per connection, in the order observed. */
  id: number;
  at: EpochMs;
  direction: MessageDirection;
  stream: number | null;
  /** "SUBSCRIBE", "ANNOUNCE", "stream opened", "stream reset", "GROUP", "FRAME", "closed", … */
  type: string;
  /** The fields in short, one line. */
  summary: string;
  /** Every field, scalar values only (longer values truncated). */
  fields: Record<string, string | number | boolean | null>;
  bytes: number;
  /** What this row belongs to, when known: the broadcast path, and the track's id within the
   * connection (TrackRow.key, GroupBar.track), so timeline bars link here. */
  broadcast: string | null;
  track: string | null;
  sequence: number | null;
}

export type Severity = "error" | "warning" | "note";

export type FindingKind =
  | "gap"
  | "stall"
  | "reset"
  | "probe-unsupported"
  | "rtt-unknown"
  | "bitrate-over-catalog"
  | "timestamp-skew"
  | "connection";

/** An expert finding, as Wireshark ranks them. Repeats of the same finding bump `count`. */
export interface Finding {
  key: string;
  severity: Severity;
  kind: FindingKind;
  /** What it is about: a track key, a broadcast, or "connection". */
  subject: string;
  text: string;
  firstAt: EpochMs;
  lastAt: EpochMs;
  count: number;
  /** Where it happened, for a click. */
  link: { track: string; sequence: number | null } | null;
}

/** A broadcast opened from the tree: its hang catalog when it has one. */
export interface BroadcastInfo {
  /** The broadcast path. */
  key: string;
  isHang: boolean;
  /** The catalog's renditions, when decoded. */
  renditions: Rendition[];
  /** The catalog as JSON text (capped), for the raw view. */
  catalogJson: string | null;
  /** Why the catalog could not be read, in words. */
  error: string | null;
  updatedAt: EpochMs | null;
}

export interface Rendition {
  track: string;
  kind: "video" | "audio";
  codec: string;
  width: number | null;
  height: number | null;
  framerate: number | null;
  bitrate: number | null;
  sampleRate: number | null;
  channels: number | null;
}

// ---------------------------------------------------------------------------------------------
// Views: what the renderer may watch, with what parameters.

/** What the Publish view can put on a relay. */
export type PublicationKind = "clock" | "test-video" | "camera";

/** One broadcast this app publishes on a connection, with its figures, sampled every second. */
export interface PublicationRow {
  /** The publication's id. */
  key: string;
  kind: PublicationKind;
  broadcast: string;
  tracks: string[];
  /** "waiting": a camera whose first frame has not come yet; "ended": stopped (kept for a while). */
  status: "waiting" | "live" | "ended";
  /** What is being sent, in words ("H.264 1280×720 at 30 fps", "text, one group a second"). */
  detail: string;
  startedAt: EpochMs;
  groups: number;
  frames: number;
  bytes: number;
  /** Bits per second over the last second. */
  bitrate: number;
  /** Subscriptions to its tracks that the relay holds (moq-lite relays subscribe once per track). */
  subscribers: number;
}

/** Start a clock or the synthetic hang video under `broadcast` on a connection. */
export interface PublishRequest extends ConnectionRef {
  kind: "clock" | "test-video";
  broadcast: string;
  /** The test video's bitrate in bits/s (default 1 Mbit/s). */
  bitrate?: number;
}

/** Start a camera broadcast; the page encodes and sends the frames (publish:frame). */
export interface CameraPublishRequest extends ConnectionRef {
  broadcast: string;
  /** The WebCodecs codec string the page's encoder uses (avc1.* Annex B, vp8, vp09.*, av01.*). */
  codec: string;
  width: number;
  height: number;
  framerate: number;
  bitrate: number;
}

/** One encoded camera frame. A keyframe starts a new group. */
export interface CameraFrame extends ConnectionRef {
  publicationId: string;
  keyframe: boolean;
  /** Presentation time in µs (the page's clock, rising). */
  timestampUs: number;
  /** The encoded bytes, base64 (the channel carries JSON). */
  data: string;
}

export interface PublicationRef extends ConnectionRef {
  publicationId: string;
}

export interface MessageFilter {
  /** Case-insensitive text matched against type and summary. */
  text?: string;
  types?: string[];
  direction?: MessageDirection;
  broadcast?: string;
  track?: string;
  stream?: number;
}

export interface ViewContract {
  connections: { params: Record<string, never>; item: ConnectionSummary };
  profiles: { params: Record<string, never>; item: Profile };
  tree: { params: { connectionId: string }; item: TreeNode };
  tracks: { params: { connectionId: string }; item: TrackRow };
  timeline: { params: { connectionId: string }; item: GroupBar };
  stats: { params: { connectionId: string }; item: StatsSample };
  /** The newest `limit` rows (at most 2000) that match the filter. */
  messages: { params: { connectionId: string; filter?: MessageFilter; limit?: number }; item: MessageRow };
  findings: { params: { connectionId: string }; item: Finding };
  broadcast: { params: { connectionId: string; broadcast: string }; item: BroadcastInfo };
  publications: { params: { connectionId: string }; item: PublicationRow };
}

export type ViewName = keyof ViewContract;
export type ViewParams<V extends ViewName> = ViewContract[V]["params"];
export type ViewItem<V extends ViewName> = ViewContract[V]["item"];

/**
 * What a watcher receives. `seq` counts 1, 2, … per watch; a snapshot replaces everything held
 * (sent first, and again whenever main cannot express the change as a bounded delta); a delta
 * upserts items by key and removes keys. A gap in `seq` means: unwatch and watch again.
 */
export type ViewUpdate<V extends ViewName> =
  | { seq: number; kind: "snapshot"; items: ViewItem<V>[] }
  | { seq: number; kind: "delta"; upsert: ViewItem<V>[]; remove: string[] };

// ---------------------------------------------------------------------------------------------
// Requests

export interface ConnectionRef {
  connectionId: string;
}

/** Open a new connection tab: from a saved profile, or from a URL typed in the bar. */
export type OpenConnectionRequest =
  | { profileId: string }
  | { url: string; transport?: TransportChoice; protocol?: string; trust?: TrustChoice; token?: string };

export interface SubscribeRequest extends ConnectionRef {
  broadcast: string;
  track: string;
}

export interface TrackRef extends ConnectionRef {
  track: string;
}

export interface GroupRef extends TrackRef {
  sequence: number;
}

export interface FrameRef extends GroupRef {
  index: number;
}

export interface RecordingFile {
  name: string;
  path: string;
  bytes: number;
  modifiedAt: EpochMs;
}

/**
 * Requests the host answers itself (the Electron window or `moqscope ui`), not the app services.
 */
export interface HostInvokeContract {
  /**
   * The Publish view asks for the camera while it is open (`allowed: true`) and gives it back
   * when it closes; the Electron window denies camera access otherwise. The browser asks the
   * person itself, so `moqscope ui` only acknowledges.
   */
  "camera:allow": { args: [request: { allowed: boolean }]; result: void };
}

/**
 * Every request the UI may make: channel name → the arguments it sends and the result it gets.
 * Adding a channel here makes the schemas and the handlers fail to compile until they handle it.
 */
export interface InvokeContract extends HostInvokeContract {
  "app:info": { args: []; result: AppInfo };
  "profiles:save": { args: [profile: ProfileInput]; result: Profile };
  "profiles:delete": { args: [request: { id: string }]; result: void };
  "connection:open": { args: [request: OpenConnectionRequest]; result: ConnectionRef };
  /** Connect again now (after a failure, or with a URL edited in the bar). */
  "connection:connect": { args: [request: ConnectionRef & { url?: string }]; result: void };
  "connection:disconnect": { args: [request: ConnectionRef]; result: void };
  /** Close the tab: disconnect and forget what was observed. */
  "connection:close": { args: [request: ConnectionRef]; result: void };
  "track:subscribe": { args: [request: SubscribeRequest]; result: { track: string } };
  "track:unsubscribe": { args: [request: TrackRef]; result: void };
  "group:frames": { args: [request: GroupRef]; result: FrameMeta[] };
  "frame:open": { args: [request: FrameRef]; result: FramePayload };
  "probe:start": { args: [request: ConnectionRef & { targetBitrate?: number }]; result: void };
  "probe:stop": { args: [request: ConnectionRef]; result: void };
  /** Start writing what this connection observes to a JSON-lines file in the recordings folder. */
  "recording:start": { args: [request: ConnectionRef]; result: RecordingFile };
  "recording:stop": { args: [request: ConnectionRef]; result: RecordingFile };
  "recording:list": { args: []; result: RecordingFile[] };
  /** Open a recording read-only as a new connection tab. */
  "recording:open": { args: [request: { path: string }]; result: ConnectionRef };
  "publish:start": { args: [request: PublishRequest]; result: PublicationRef };
  "publish:camera": { args: [request: CameraPublishRequest]; result: PublicationRef };
  "publish:frame": { args: [frame: CameraFrame]; result: void };
  "publish:stop": { args: [request: PublicationRef]; result: void };
}

export type InvokeChannel = keyof InvokeContract;
export type InvokeArgs<C extends InvokeChannel> = InvokeContract[C]["args"];
export type InvokeResult<C extends InvokeChannel> = InvokeContract[C]["result"];

/** What main implements, one function per channel. */
export type InvokeHandlers = {
  [C in Exclude<InvokeChannel, HostChannel>]: (...args: InvokeArgs<C>) => InvokeResult<C> | Promise<InvokeResult<C>>;
};

/** The channels the host answers itself (see HostInvokeContract). */
export type HostChannel = keyof HostInvokeContract;

/** What each host implements for its own channels. */
export type HostHandlers = {
  [C in HostChannel]: (...args: InvokeArgs<C>) => InvokeResult<C> | Promise<InvokeResult<C>>;
};

/** Application-menu items that act in the UI (Electron sends them; the UI runs the same action as its shortcut). */
export type MenuAction = "open-recording" | "record" | "focus-url";

// ---------------------------------------------------------------------------------------------
// The messages on the wire between the UI and main (MessagePort or WebSocket, both as JSON-able data)

export type ClientMessage =
  | { type: "invoke"; id: number; channel: string; args: unknown[] }
  | { type: "watch"; watchId: number; view: string; params: unknown }
  | { type: "unwatch"; watchId: number }
  /** The renderer applied update `seq`: main sends at most a couple of updates ahead of acks. */
  | { type: "ack"; watchId: number; seq: number };

export type ServerMessage =
  | { type: "result"; id: number; ok: true; value: unknown }
  | { type: "result"; id: number; ok: false; error: string }
  | { type: "update"; watchId: number; update: ViewUpdate<ViewName> }
  | { type: "watch-error"; watchId: number; error: string }
  /** A message main could not answer otherwise (not JSON, no id): the UI may log it. */
  | { type: "error"; error: string }
  /** An application-menu item was chosen (Electron only). */
  | { type: "menu"; action: MenuAction };

/** The object the UI sees: requests, and views that call back with updates until unwatched. */
export interface MoqscopeApi {
  invoke<C extends InvokeChannel>(channel: C, ...args: InvokeArgs<C>): Promise<InvokeResult<C>>;
  watch<V extends ViewName>(
    view: V,
    params: ViewParams<V>,
    onUpdate: (update: ViewUpdate<V>) => void,
    onError?: (message: string) => void,
  ): () => void;
}

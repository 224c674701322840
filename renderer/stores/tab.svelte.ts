// Everything one connection tab shows: its watched views and the oscilloscope controls
// (timebase, Hold, Trigger) that apply to them.

import type { Finding, FindingKind, GroupBar, MoqscopeApi, Severity, TrackRow } from "../../main/ipc/contract.ts";
import type { CameraPublisher } from "../publish/camera-publisher.ts";
import { ViewStore } from "./view-store.svelte.ts";

export type TabView = "tracks" | "timeline" | "connection" | "messages" | "publish";
export const TIMEBASES = [
  { label: "5 s", ms: 5_000 },
  { label: "30 s", ms: 30_000 },
  { label: "5 min", ms: 300_000 },
] as const;

const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, note: 2 };

/** The group a person picked (timeline bar, expert link): the inspector shows its frames. */
export interface GroupPick {
  track: string;
  sequence: number;
}

export class TabState {
  readonly connectionId: string;
  readonly tree;
  readonly tracks;
  readonly timeline;
  readonly stats;
  readonly findings;
  /** What this connection publishes (Publish view), with figures once a second. */
  readonly publications;
  /** The camera this tab publishes, while it does (one per tab). */
  camera = $state.raw<CameraPublisher | null>(null);
  /** Bumped when the camera's status (codec, drops, error) changes. */
  cameraRevision = $state(0);
  /** The graphs first: they move within a second of connecting, before anything is subscribed. */
  view = $state<TabView>("connection");
  /** The broadcast opened from the tree, shown above the tracks. */
  broadcast = $state<string | null>(null);
  timebaseMs = $state(30_000);
  /** When Hold froze the view (the time axis stops there); null while live. */
  heldAt = $state<number | null>(null);
  /** Total groups received when Hold began: the held banner counts what arrived since. */
  groupsAtHold = $state(0);
  trigger = $state<FindingKind | null>(null);
  /** The finding that fired the trigger, shown until Resume. */
  triggeredBy = $state<Finding | null>(null);
  inspector = $state<GroupPick | null>(null);
  /** A timeline bar whose message rows the Messages view filters to. */
  messageFocus = $state<GroupPick | null>(null);
  #armedAt = 0;
  #stops: (() => void)[] = [];

  constructor(api: MoqscopeApi, connectionId: string) {
    this.connectionId = connectionId;
    const params = { connectionId };
    this.tree = new ViewStore(api, "tree", params, (a, b) => a.key.localeCompare(b.key));
    this.tracks = new ViewStore(api, "tracks", params, (a, b) =>
      `${a.broadcast}/${a.track}`.localeCompare(`${b.broadcast}/${b.track}`),
    );
    this.timeline = new ViewStore(api, "timeline", params);
    this.stats = new ViewStore(api, "stats", params, (a, b) => a.at - b.at);
    this.findings = new ViewStore(
      api,
      "findings",
      params,
      (a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || b.lastAt - a.lastAt,
    );
    this.#stops.push(this.findings.onUpdate(() => this.#checkTrigger()));
    this.publications = new ViewStore(api, "publications", params, (a, b) => b.startedAt - a.startedAt);
  }

  get held(): boolean {
    return this.heldAt !== null;
  }

  /** Groups received over all tracks, live even while held. */
  liveGroups(): number {
    void this.tracks.revision;
    let total = 0;
    for (const row of this.tracks.live.values()) total += (row as TrackRow).groups;
    return total;
  }

  hold(): void {
    if (this.held) return;
    this.groupsAtHold = this.liveGroups();
    this.heldAt = Date.now();
    for (const store of this.#frozenStores()) store.freeze(true);
  }

  resume(): void {
    this.heldAt = null;
    this.triggeredBy = null;
    for (const store of this.#frozenStores()) store.freeze(false);
    if (this.trigger) this.#armedAt = Date.now();
  }

  toggleHold(): void {
    if (this.held) this.resume();
    else this.hold();
  }

  /** Arm (or disarm with null) a trigger: the next new finding of this kind holds the view. */
  arm(kind: FindingKind | null): void {
    this.trigger = kind;
    this.triggeredBy = null;
    this.#armedAt = Date.now();
  }

  pickGroup(pick: GroupPick): void {
    this.inspector = pick;
  }

  bar(track: string, sequence: number): GroupBar | undefined {
    return this.timeline.live.get(`${track}#${sequence}`);
  }

  close(): void {
    for (const stop of this.#stops) stop();
    void this.camera?.stop();
    this.camera = null;
    for (const store of [this.tree, this.tracks, this.timeline, this.stats, this.findings, this.publications]) {
      store.close();
    }
  }

  #frozenStores() {
    return [this.tracks, this.timeline, this.stats, this.findings];
  }

  /**
   * A finding may reach us just before the timeline update that shows its cause: like a scope's
   * post-trigger window, hold once the next timeline update is in (or after a second at most).
   */
  #holdAfterNextTimeline(): void {
    let done = false;
    const holdNow = (): void => {
      if (done) return;
      done = true;
      stop();
      clearTimeout(timer);
      this.hold();
    };
    const stop = this.timeline.onUpdate(holdNow);
    const timer = setTimeout(holdNow, 1000);
  }

  #checkTrigger(): void {
    if (!this.trigger || this.held || this.triggeredBy) return;
    for (const finding of this.findings.live.values()) {
      if (finding.kind === this.trigger && finding.lastAt >= this.#armedAt) {
        this.triggeredBy = finding;
        this.#holdAfterNextTimeline();
        return;
      }
    }
  }
}

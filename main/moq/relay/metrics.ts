// The relay's counters for the operator port's `GET /metrics`, in Prometheus' text format
// (prom-client). Where a meaning matches moq-relay 0.17's, so does the name, so one dashboard
// reads both: sessions, announces and subscriptions by the grant's tier, and the media the relay
// took in from publishers (role="publisher"). What is live right now comes from Relay.stats().

import { Counter, Gauge, Registry } from "prom-client";
import type { RelayStats } from "./relay.ts";

/** The label for a session without a tier from its grant. */
export const NO_TIER = "";

export class RelayMetrics {
  readonly registry = new Registry();
  readonly sessionsOpened: Counter<"tier">;
  readonly sessionsClosed: Counter<"tier">;
  readonly announcesStarted: Counter<"tier">;
  readonly announcesEnded: Counter<"tier">;
  readonly subscriptionsOpened: Counter<"tier">;
  readonly subscriptionsClosed: Counter<"tier">;
  /** The role="publisher" series of the media counters. */
  readonly #in: Record<"bytes" | "frames" | "groups" | "datagrams", { inc(value?: number): void }>;

  constructor(live: () => RelayStats) {
    const registers = [this.registry];
    const counter = <L extends string>(name: string, help: string, label: L) =>
      new Counter<L>({ name, help, labelNames: [label], registers });
    this.sessionsOpened = counter("moq_relay_sessions_opened_total", "Connected sessions opened.", "tier");
    this.sessionsClosed = counter(
      "moq_relay_sessions_closed_total",
      "Connected sessions closed; subtract from opened for live sessions.",
      "tier",
    );
    this.announcesStarted = counter("moq_relay_announces_started_total", "Broadcast announces started.", "tier");
    this.announcesEnded = counter(
      "moq_relay_announces_ended_total",
      "Broadcast announces ended; subtract from started for live announces.",
      "tier",
    );
    this.subscriptionsOpened = counter("moq_relay_subscriptions_opened_total", "Track subscriptions opened.", "tier");
    this.subscriptionsClosed = counter(
      "moq_relay_subscriptions_closed_total",
      "Track subscriptions closed; subtract from opened for live subscriptions.",
      "tier",
    );
    const media = (name: string, help: string) => counter(name, help, "role").labels("publisher");
    this.#in = {
      bytes: media("moq_relay_bytes_total", "Media payload bytes transferred."),
      frames: media("moq_relay_frames_total", "Media frames transferred."),
      groups: media("moq_relay_groups_total", "Media groups transferred."),
      datagrams: media(
        "moq_relay_datagrams_total",
        "Single-frame groups carried over unreliable QUIC datagrams; a subset of groups.",
      ),
    };
    // Read at scrape time: what the relay holds now.
    const gauge = (name: string, help: string, read: (s: RelayStats) => number) =>
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(read(live()));
        },
      });
    gauge("moqscope_relay_sessions", "Sessions open now.", (s) => s.sessions);
    gauge("moqscope_relay_broadcasts", "Broadcasts served now.", (s) => s.broadcasts);
    gauge(
      "moqscope_relay_upstream_tracks",
      "Tracks subscribed upstream now (one per broadcast and track).",
      (s) => s.upstreamTracks,
    );
    gauge(
      "moqscope_relay_downstream_subscriptions",
      "Downstream subscriptions reading those tracks now.",
      (s) => s.downstreamSubscriptions,
    );
  }

  /** A group the relay took in from a publisher. */
  groupIn(datagram: boolean): void {
    this.#in.groups.inc();
    if (datagram) this.#in.datagrams.inc();
  }

  /** A frame the relay took in from a publisher (per frame: the labelled series are looked up once). */
  frameIn(bytes: number): void {
    this.#in.frames.inc();
    this.#in.bytes.inc(bytes);
  }

  /** The exposition text and its content type. */
  async render(): Promise<{ text: string; contentType: string }> {
    return { text: await this.registry.metrics(), contentType: this.registry.contentType };
  }
}

// Serves the contract to one UI client over any link (Electron's MessagePort, the `moqscope ui`
// WebSocket): every message is validated, requests go to their handler and come back as one
// `result`, watches become view feeds until unwatched or until the link closes. A handler's
// failure reaches the UI as its message only (never a stack), and nothing a client sends can
// crash main or make it hold more than a bounded amount for that client.

import type { AppServices } from "../studio/app-services.ts";
import type { ViewSource } from "../studio/live/collection.ts";
import type {
  ClientMessage,
  HostChannel,
  HostHandlers,
  InvokeChannel,
  ServerMessage,
  ViewName,
  ViewParams,
  ViewUpdate,
} from "./contract.ts";
import { ViewFeed, type FeedOptions } from "./feed.ts";
import { IpcValidationError, parseClientMessage, parseInvoke, parseWatch } from "./schemas.ts";

/** One client's transport, already decoded to values (the WebSocket host parses JSON first). */
export interface ClientLink {
  send(message: ServerMessage): void;
  onMessage(listener: (message: unknown) => void): void;
  onClose(listener: () => void): void;
}

export interface HostOptions {
  /** The host's own channels (camera permission, …). */
  hostHandlers: HostHandlers;
  feed?: FeedOptions;
  /** Views one client may watch at once (default 64). */
  maxWatches?: number;
  /** Requests one client may have waiting for an answer (default 64). */
  maxPendingRequests?: number;
  /** Requests and watches per second one client may start, with a burst of twice as many (default 100). */
  ratePerSecond?: number;
  /** Messages of any kind per second one client may send, with a burst of twice as many (default 1000). */
  messagesPerSecond?: number;
}

/** A served client: `close()` ends its watches (also done when the link closes). */
export interface ServedClient {
  close(): void;
  /** Watches open now (for tests and diagnostics). */
  readonly watchCount: number;
}

export function serveClient(services: AppServices, link: ClientLink, options: HostOptions): ServedClient {
  return new ClientSession(services, link, options);
}

class ClientSession implements ServedClient {
  readonly #services: AppServices;
  readonly #link: ClientLink;
  readonly #options: HostOptions;
  readonly #feeds = new Map<number, ViewFeed<{ key: string }>>();
  readonly #budget: RateBudget;
  readonly #messageBudget: RateBudget;
  #pending = 0;
  #closed = false;

  constructor(services: AppServices, link: ClientLink, options: HostOptions) {
    this.#services = services;
    this.#link = link;
    this.#options = options;
    this.#budget = new RateBudget(options.ratePerSecond ?? 100);
    this.#messageBudget = new RateBudget(options.messagesPerSecond ?? 1000);
    link.onMessage((raw) => this.#receive(raw));
    link.onClose(() => this.close());
  }

  get watchCount(): number {
    return this.#feeds.size;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const feed of this.#feeds.values()) feed.close();
    this.#feeds.clear();
  }

  #send(message: ServerMessage): void {
    if (this.#closed) return;
    try {
      this.#link.send(message);
    } catch {
      // The link is going away; its close event ends this session.
    }
  }

  #receive(raw: unknown): void {
    if (this.#closed) return;
    // A flood is refused before any parsing; a client that behaves sends tens per second.
    if (!this.#messageBudget.take()) {
      this.#refuse(raw, "too many messages: slow down");
      return;
    }
    let message: ClientMessage;
    try {
      message = parseClientMessage(raw);
    } catch (err) {
      this.#refuse(raw, errorText(err));
      return;
    }
    if ((message.type === "invoke" || message.type === "watch") && !this.#budget.take()) {
      this.#refuse(message, "too many requests: slow down");
      return;
    }
    switch (message.type) {
      case "invoke":
        void this.#invoke(message.id, message.channel, message.args);
        return;
      case "watch":
        this.#watch(message.watchId, message.view, message.params);
        return;
      case "unwatch":
        this.#unwatch(message.watchId);
        return;
      case "ack":
        this.#feeds.get(message.watchId)?.ack(message.seq);
        return;
    }
  }

  /** Answers a message that cannot be served: by its request or watch id when it has one. */
  #refuse(raw: unknown, error: string): void {
    const record = typeof raw === "object" && raw !== null ? (raw as Record<string, unknown>) : {};
    if (record["type"] === "invoke" && isId(record["id"])) {
      this.#send({ type: "result", id: record["id"], ok: false, error });
    } else if (record["type"] === "watch" && isId(record["watchId"])) {
      this.#send({ type: "watch-error", watchId: record["watchId"], error });
    } else {
      this.#send({ type: "error", error });
    }
  }

  async #invoke(id: number, channel: string, args: unknown[]): Promise<void> {
    if (this.#pending >= (this.#options.maxPendingRequests ?? 64)) {
      this.#send({ type: "result", id, ok: false, error: `${channel}: too many requests waiting for an answer` });
      return;
    }
    this.#pending += 1;
    try {
      const valid = parseInvoke(channel, args);
      const value = await this.#handler(valid.channel)(...valid.args);
      this.#send({ type: "result", id, ok: true, value: value ?? null });
    } catch (err) {
      this.#send({ type: "result", id, ok: false, error: errorText(err) });
    } finally {
      this.#pending -= 1;
    }
  }

  #handler(channel: InvokeChannel): (...args: unknown[]) => unknown {
    const own = this.#options.hostHandlers as Record<string, unknown>;
    const handler = Object.hasOwn(own, channel)
      ? this.#options.hostHandlers[channel as HostChannel]
      : this.#services.handlers[channel as Exclude<InvokeChannel, HostChannel>];
    return handler as (...args: unknown[]) => unknown;
  }

  #watch(watchId: number, view: string, params: unknown): void {
    if (this.#feeds.has(watchId)) {
      this.#send({ type: "watch-error", watchId, error: `watch id ${watchId} is already in use` });
      return;
    }
    const limit = this.#options.maxWatches ?? 64;
    if (this.#feeds.size >= limit) {
      this.#send({ type: "watch-error", watchId, error: `too many open views (at most ${limit}): close some first` });
      return;
    }
    let source: ViewSource<{ key: string }>;
    try {
      const valid = parseWatch(view, params);
      source = this.#openView(valid.view, valid.params);
    } catch (err) {
      this.#send({ type: "watch-error", watchId, error: errorText(err) });
      return;
    }
    const feed = new ViewFeed(
      source,
      (update) => this.#send({ type: "update", watchId, update: update as ViewUpdate<ViewName> }),
      (err) => {
        this.#feeds.delete(watchId);
        this.#send({ type: "watch-error", watchId, error: `${view}: ${errorText(err)}` });
      },
      this.#options.feed,
    );
    // The snapshot went out while constructing; a failing source has closed the feed already.
    if (!this.#closed && feed.seq > 0) this.#feeds.set(watchId, feed);
    else feed.close();
  }

  #openView<V extends ViewName>(view: V, params: ViewParams<V>): ViewSource<{ key: string }> {
    return this.#services.openView(view, params) as unknown as ViewSource<{ key: string }>;
  }

  #unwatch(watchId: number): void {
    this.#feeds.get(watchId)?.close();
    this.#feeds.delete(watchId);
  }
}

function isId(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

/** What the UI is told about a failure: the message only, a person's words. */
function errorText(err: unknown): string {
  if (err instanceof IpcValidationError) return err.message;
  if (err instanceof Error && err.message) return err.message;
  return "the request failed";
}

/** A token bucket: `perSecond` refill, twice that as the burst. */
class RateBudget {
  readonly #perSecond: number;
  readonly #burst: number;
  #tokens: number;
  #at = Date.now();

  constructor(perSecond: number) {
    this.#perSecond = perSecond;
    this.#burst = perSecond * 2;
    this.#tokens = this.#burst;
  }

  take(): boolean {
    const now = Date.now();
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#at) / 1000) * this.#perSecond);
    this.#at = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}

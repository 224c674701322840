// The MoqscopeApi over a link: numbered requests, watched views with gap detection and acks.
// When the link reopens (the host came back) every watch is placed again and starts from a snapshot.

import type {
  InvokeArgs,
  InvokeChannel,
  InvokeResult,
  MenuAction,
  MoqscopeApi,
  ServerMessage,
  ViewName,
  ViewParams,
  ViewUpdate,
} from "../../main/ipc/contract.ts";
import type { Link, LinkState } from "./link.ts";

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

interface Watch {
  /** The id it is placed under now; changes when placed again. */
  id: number;
  view: ViewName;
  params: unknown;
  lastSeq: number;
  onUpdate: (update: ViewUpdate<ViewName>) => void;
  onError?: (message: string) => void;
}

export class MoqscopeClient implements MoqscopeApi {
  readonly #link: Link;
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();
  /** By current watch id; a watch gets a new id whenever it is placed again. */
  readonly #watches = new Map<number, Watch>();
  #stateListeners = new Set<(state: LinkState) => void>();
  #menuListeners = new Set<(action: MenuAction) => void>();

  constructor(link: Link) {
    this.#link = link;
    link.onMessage = (message) => this.#receive(message);
    link.onState = (state) => this.#stateChanged(state);
  }

  get state(): LinkState {
    return this.#link.state;
  }

  onState(listener: (state: LinkState) => void): () => void {
    this.#stateListeners.add(listener);
    return () => this.#stateListeners.delete(listener);
  }

  /** Menu actions from the Electron application menu ("record", "open-recording", …). */
  onMenu(listener: (action: MenuAction) => void): () => void {
    this.#menuListeners.add(listener);
    return () => this.#menuListeners.delete(listener);
  }

  invoke<C extends InvokeChannel>(channel: C, ...args: InvokeArgs<C>): Promise<InvokeResult<C>> {
    if (this.#link.state.kind !== "open") {
      return Promise.reject(new Error("The app is not reachable right now; try again once it is back."));
    }
    const id = this.#nextId++;
    return new Promise<InvokeResult<C>>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.#link.send({ type: "invoke", id, channel, args });
    });
  }

  watch<V extends ViewName>(
    view: V,
    params: ViewParams<V>,
    onUpdate: (update: ViewUpdate<V>) => void,
    onError?: (message: string) => void,
  ): () => void {
    const watch: Watch = {
      id: 0,
      view,
      params,
      lastSeq: 0,
      onUpdate: onUpdate as unknown as (update: ViewUpdate<ViewName>) => void,
      onError,
    };
    this.#place(watch);
    return () => {
      if (!this.#watches.delete(watch.id)) return;
      this.#link.send({ type: "unwatch", watchId: watch.id });
    };
  }

  #place(watch: Watch): void {
    watch.id = this.#nextId++;
    watch.lastSeq = 0;
    this.#watches.set(watch.id, watch);
    if (this.#link.state.kind === "open") {
      this.#link.send({ type: "watch", watchId: watch.id, view: watch.view, params: watch.params });
    }
  }

  #stateChanged(state: LinkState): void {
    if (state.kind === "open") {
      // A new link knows none of our watches: place them all again.
      const watches = [...this.#watches.values()];
      this.#watches.clear();
      for (const watch of watches) this.#place(watch);
    } else {
      for (const pending of this.#pending.values())
        pending.reject(new Error("Lost the link to the app before it answered."));
      this.#pending.clear();
    }
    for (const listener of this.#stateListeners) listener(state);
  }

  #receive(message: ServerMessage): void {
    switch (message.type) {
      case "result": {
        const pending = this.#pending.get(message.id);
        if (!pending) return;
        this.#pending.delete(message.id);
        if (message.ok) pending.resolve(message.value);
        else pending.reject(new Error(message.error));
        return;
      }
      case "update": {
        const watch = this.#watches.get(message.watchId);
        if (!watch) return; // unwatched meanwhile
        const { update } = message;
        if (update.seq !== watch.lastSeq + 1) {
          // Missed an update: what we hold is wrong. Start over from a fresh snapshot.
          this.#watches.delete(message.watchId);
          this.#link.send({ type: "unwatch", watchId: message.watchId });
          this.#place(watch);
          return;
        }
        watch.lastSeq = update.seq;
        watch.onUpdate(update);
        this.#link.send({ type: "ack", watchId: message.watchId, seq: update.seq });
        return;
      }
      case "menu":
        for (const listener of this.#menuListeners) listener(message.action);
        return;
      case "error":
        // Main could not tie this to a request: nothing waits for it, so only log it.
        console.warn(`moqscope: ${message.error}`);
        return;
      case "watch-error": {
        const watch = this.#watches.get(message.watchId);
        if (!watch) return;
        this.#watches.delete(message.watchId);
        watch.onError?.(message.error);
        return;
      }
    }
  }
}

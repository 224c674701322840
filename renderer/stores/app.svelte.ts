// The page's top-level state: the link to main, the open connections (tabs), profiles, and which
// tab is in front. Tabs hold their own views (TabState) and are closed with their connection.

import type { ConnectionSummary, OpenConnectionRequest } from "../../main/ipc/contract.ts";
import type { MoqscopeClient } from "../api/client.ts";
import type { LinkState } from "../api/link.ts";
import { errorText } from "../format.ts";
import { TabState } from "./tab.svelte.ts";
import { ViewStore } from "./view-store.svelte.ts";

export class AppState {
  readonly api: MoqscopeClient;
  link = $state.raw<LinkState>({ kind: "connecting" });
  readonly connections;
  readonly profiles;
  activeId = $state<string | null>(null);
  /** A message for the person about the last action that failed, shown in the bar. */
  notice = $state<string | null>(null);
  recordingsOpen = $state(false);
  profileEditorOpen = $state(false);
  // Looked up, never rendered: the tabs shown come from the connections view.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #tabs = new Map<string, TabState>();

  constructor(api: MoqscopeClient) {
    this.api = api;
    this.link = api.state;
    // Problems found at start (a corrupt profiles file set aside) are said once, in the bar.
    void api.invoke("app:info").then(
      (info) => {
        if (info.problems.length > 0 && this.notice === null) this.notice = info.problems.join("; ");
      },
      () => {},
    );
    api.onState((state) => {
      this.link = state;
    });
    // Tabs keep the order main opened them in.
    this.connections = new ViewStore(api, "connections", {});
    this.profiles = new ViewStore(
      api,
      "profiles",
      {},
      (a, b) => Number(b.builtIn) - Number(a.builtIn) || a.name.localeCompare(b.name),
    );
  }

  /** The connection in front: the chosen one, else the first open. */
  get active(): ConnectionSummary | null {
    const list = this.connections.items;
    return list.find((c) => c.connectionId === this.activeId) ?? list[0] ?? null;
  }

  /** The tab's state, made on first use and dropped with its connection. */
  tab(connectionId: string): TabState {
    let tab = this.#tabs.get(connectionId);
    if (!tab) {
      tab = new TabState(this.api, connectionId);
      this.#tabs.set(connectionId, tab);
    }
    return tab;
  }

  async open(request: OpenConnectionRequest): Promise<void> {
    this.notice = null;
    try {
      const { connectionId } = await this.api.invoke("connection:open", request);
      this.activeId = connectionId;
    } catch (error) {
      this.notice = errorText(error);
    }
  }

  async openRecording(path: string): Promise<void> {
    this.notice = null;
    try {
      const { connectionId } = await this.api.invoke("recording:open", { path });
      this.activeId = connectionId;
      this.recordingsOpen = false;
    } catch (error) {
      this.notice = errorText(error);
    }
  }

  async close(connectionId: string): Promise<void> {
    try {
      await this.api.invoke("connection:close", { connectionId });
    } catch (error) {
      this.notice = errorText(error);
      return;
    }
    this.#tabs.get(connectionId)?.close();
    this.#tabs.delete(connectionId);
    if (this.activeId === connectionId) this.activeId = null;
  }

  /** Run a request and show its error in words instead of throwing. */
  async attempt(action: () => Promise<unknown>): Promise<boolean> {
    this.notice = null;
    try {
      await action();
      return true;
    } catch (error) {
      this.notice = errorText(error);
      return false;
    }
  }
}

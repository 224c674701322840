// Small real AppServices for the host tests: views served from LiveCollections (the studio's own
// data structure), `app:info` answered, the other requests refused with a person's message.

import type {
  AppInfo,
  ConnectionSummary,
  InvokeHandlers,
  TreeNode,
  ViewItem,
  ViewName,
  ViewParams,
} from "../../../main/ipc/contract.ts";
import type { AppServices } from "../../../main/studio/app-services.ts";
import { LiveCollection, type ViewSource } from "../../../main/studio/live/collection.ts";

export const APP_INFO: AppInfo = {
  version: "0.0.0-test",
  platform: process.platform,
  host: "browser",
  configDir: "/tmp/x",
  problems: [],
};

export interface TestServices extends AppServices {
  readonly trees: Map<string, LiveCollection<TreeNode>>;
  readonly connections: LiveCollection<ConnectionSummary>;
  /** How many views were opened and closed. */
  readonly opened: { count: number; closed: number };
  closed: boolean;
}

export function treeNode(key: string, changedAt = 0): TreeNode {
  const parts = key.split("/");
  return {
    key,
    name: parts.at(-1)!,
    parent: parts.length > 1 ? parts.slice(0, -1).join("/") : null,
    depth: parts.length - 1,
    broadcast: true,
    active: true,
    activeCount: 1,
    totalCount: 1,
    hops: null,
    hopCount: null,
    cost: null,
    announcedAt: 0,
    endedAt: null,
    changedAt,
  };
}

export function testServices(): TestServices {
  const trees = new Map([["default", new LiveCollection<TreeNode>(1000)]]);
  const connections = new LiveCollection<ConnectionSummary>();
  const opened = { count: 0, closed: 0 };
  const refuse = (channel: string) => () => {
    throw new Error(`${channel} is not available in this test`);
  };
  const channels = [
    "profiles:save",
    "profiles:delete",
    "connection:open",
    "connection:connect",
    "connection:disconnect",
    "connection:close",
    "track:subscribe",
    "track:unsubscribe",
    "group:frames",
    "frame:open",
    "probe:start",
    "probe:stop",
    "recording:start",
    "recording:stop",
    "recording:list",
    "recording:open",
  ];
  const handlers = {
    ...Object.fromEntries(channels.map((c) => [c, refuse(c)])),
    "app:info": () => APP_INFO,
    "connection:close": ({ connectionId }: { connectionId: string }) => {
      if (!trees.delete(connectionId)) throw new Error(`no connection "${connectionId}"`);
    },
  } as unknown as InvokeHandlers;

  function track<T extends { key: string }>(source: LiveCollection<T>): ViewSource<T> {
    opened.count++;
    return {
      items: () => source.items(),
      get: (key) => source.get(key),
      subscribe: (listener) => source.subscribe(listener),
      close: () => void opened.closed++,
    };
  }

  const services: TestServices = {
    trees,
    connections,
    opened,
    closed: false,
    handlers,
    openView<V extends ViewName>(view: V, params: ViewParams<V>): ViewSource<ViewItem<V>> {
      if (view === "connections") return track(connections) as unknown as ViewSource<ViewItem<V>>;
      if (view === "tree") {
        const { connectionId } = params as ViewParams<"tree">;
        const tree = trees.get(connectionId);
        if (!tree) throw new Error(`no connection "${connectionId}": it was closed`);
        return track(tree) as unknown as ViewSource<ViewItem<V>>;
      }
      throw new Error(`the ${view} view is not available in this test`);
    },
    close() {
      services.closed = true;
      return Promise.resolve();
    },
  };
  return services;
}

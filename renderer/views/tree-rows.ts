// Flattens the announcement tree into the rows on screen: children under expanded parents, and
// only what matches the filter (with the ancestors that lead to it).

import type { TreeNode } from "../../main/ipc/contract.ts";

export interface TreeRow {
  node: TreeNode;
  hasChildren: boolean;
  expanded: boolean;
}

export interface TreeOptions {
  filter: string;
  collapsed: ReadonlySet<string>;
  /** Ended broadcasts older than this are hidden (null keeps them all). */
  hideEndedBefore: number | null;
}

export function visibleRows(nodes: readonly TreeNode[], options: TreeOptions): TreeRow[] {
  const children = new Map<string | null, TreeNode[]>();
  for (const node of nodes) {
    if (options.hideEndedBefore !== null && node.broadcast && !node.active && node.totalCount <= 1) {
      if (node.endedAt !== null && node.endedAt < options.hideEndedBefore) continue;
    }
    const list = children.get(node.parent) ?? [];
    list.push(node);
    children.set(node.parent, list);
  }
  for (const list of children.values()) list.sort((a, b) => a.name.localeCompare(b.name));

  const needle = options.filter.trim().toLowerCase();
  const matches = new Map<string, boolean>();
  const matchesBelow = (node: TreeNode): boolean => {
    const known = matches.get(node.key);
    if (known !== undefined) return known;
    const result =
      node.key.toLowerCase().includes(needle) || (children.get(node.key) ?? []).some((child) => matchesBelow(child));
    matches.set(node.key, result);
    return result;
  };

  const rows: TreeRow[] = [];
  const walk = (parent: string | null): void => {
    for (const node of children.get(parent) ?? []) {
      if (needle && !matchesBelow(node)) continue;
      const hasChildren = (children.get(node.key)?.length ?? 0) > 0;
      // While filtering, everything on the way to a match is open.
      const expanded = hasChildren && (needle !== "" || !options.collapsed.has(node.key));
      rows.push({ node, hasChildren, expanded });
      if (expanded) walk(node.key);
    }
  };
  walk(null);
  return rows;
}

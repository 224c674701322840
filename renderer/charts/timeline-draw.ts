// Draws the timeline: one lane per track, a shared time axis ending at `now`, each group a bar
// from its first byte to its last, filled by status, taller with size. Returns the hit boxes for
// hover and click.

import type { GroupBar, GroupStatus } from "../../main/ipc/contract.ts";
import { GROUP_STYLE, makeFill } from "./group-style.ts";

export const AXIS_HEIGHT = 22;
export const LANE_HEIGHT = 34;
export const LABEL_WIDTH = 170;
/** A bar is at least this wide so a group that arrived in one instant is still visible. */
const MIN_BAR_PX = 2;
const SKIPPED_BAR_PX = 6;

export interface Lane {
  key: string;
  /** The track name, and the broadcast it belongs to (drawn smaller above it). */
  label: string;
  broadcast: string;
}

export interface HitBox {
  bar: GroupBar;
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface TimelineFrame {
  width: number;
  height: number;
  lanes: Lane[];
  bars: Map<string, GroupBar[]>;
  now: number;
  windowMs: number;
  /** Times on the axis are relative to this (the connection's start). */
  origin: number;
  colors: { fg: string; muted: string; grid: string; bg: string };
  highlight: string | null;
}

const fills = new WeakMap<CanvasRenderingContext2D, Map<GroupStatus, string | CanvasPattern>>();

function fillFor(ctx: CanvasRenderingContext2D, status: GroupStatus): string | CanvasPattern {
  let map = fills.get(ctx);
  if (!map) {
    map = new Map();
    fills.set(ctx, map);
  }
  let fill = map.get(status);
  if (fill === undefined) {
    fill = makeFill(ctx, GROUP_STYLE[status]);
    map.set(status, fill);
  }
  return fill;
}

function tickStep(windowMs: number): number {
  const target = windowMs / 6;
  for (const step of [100, 250, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000]) {
    if (step >= target) return step;
  }
  return 300_000;
}

export function drawTimeline(ctx: CanvasRenderingContext2D, frame: TimelineFrame): HitBox[] {
  const { width, height, lanes, now, windowMs, origin, colors } = frame;
  ctx.clearRect(0, 0, width, height);
  const plotX = LABEL_WIDTH;
  const plotW = Math.max(1, width - plotX - 8);
  const start = now - windowMs;
  const xOf = (t: number): number => plotX + ((t - start) / windowMs) * plotW;

  // Time axis: ticks at round offsets from the connection's start.
  const step = tickStep(windowMs);
  ctx.font = "11px system-ui, sans-serif";
  ctx.textBaseline = "middle";
  ctx.fillStyle = colors.muted;
  ctx.strokeStyle = colors.grid;
  ctx.lineWidth = 1;
  const firstTick = Math.ceil((start - origin) / step) * step + origin;
  for (let t = firstTick; t <= now; t += step) {
    const x = Math.round(xOf(t)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(x, AXIS_HEIGHT - 4);
    ctx.lineTo(x, height);
    ctx.stroke();
    const seconds = (t - origin) / 1000;
    const label = `${step < 1000 ? seconds.toFixed(1) : seconds.toFixed(0)} s`;
    if (x + 3 + ctx.measureText(label).width <= width) ctx.fillText(label, x + 3, AXIS_HEIGHT / 2);
  }

  // Before the connection started nothing could arrive: shade it so an empty start reads right.
  if (origin > start) {
    ctx.fillStyle = colors.grid;
    ctx.globalAlpha = 0.25;
    ctx.fillRect(plotX, AXIS_HEIGHT, Math.min(plotW, xOf(origin) - plotX), height - AXIS_HEIGHT);
    ctx.globalAlpha = 1;
  }

  const hits: HitBox[] = [];
  lanes.forEach((lane, index) => {
    const top = AXIS_HEIGHT + index * LANE_HEIGHT;
    ctx.strokeStyle = colors.grid;
    ctx.beginPath();
    ctx.moveTo(0, top + LANE_HEIGHT + 0.5);
    ctx.lineTo(width, top + LANE_HEIGHT + 0.5);
    ctx.stroke();
    ctx.fillStyle = colors.muted;
    ctx.font = "10px system-ui, sans-serif";
    ctx.fillText(ellipsize(ctx, lane.broadcast, LABEL_WIDTH - 12), 8, top + 10);
    ctx.fillStyle = colors.fg;
    ctx.font = "12px system-ui, sans-serif";
    ctx.fillText(ellipsize(ctx, lane.label, LABEL_WIDTH - 12), 8, top + 24);
    ctx.font = "11px system-ui, sans-serif";

    const bars = frame.bars.get(lane.key) ?? [];
    let maxBytes = 1;
    for (const bar of bars) maxBytes = Math.max(maxBytes, bar.bytes);
    for (const bar of bars) {
      if (bar.lastByteAt < start || bar.firstByteAt > now) continue;
      const x0 = Math.min(
        plotX + plotW - (bar.status === "skipped" ? SKIPPED_BAR_PX : MIN_BAR_PX),
        Math.max(plotX, xOf(bar.firstByteAt)),
      );
      const x1 = Math.min(plotX + plotW, xOf(bar.status === "arriving" ? now : bar.lastByteAt));
      // A skipped group has no duration: give its marker room to be seen.
      const w = Math.max(bar.status === "skipped" ? SKIPPED_BAR_PX : MIN_BAR_PX, x1 - x0);
      // Taller with size (square root, so small groups stay visible next to keyframes).
      const scale = bar.status === "skipped" ? 1 : 0.3 + 0.7 * Math.sqrt(bar.bytes / maxBytes);
      const h = (LANE_HEIGHT - 8) * scale;
      const y = top + LANE_HEIGHT - 4 - h;
      ctx.fillStyle = fillFor(ctx, bar.status);
      ctx.fillRect(x0, y, w, h);
      if (bar.status !== "complete") {
        ctx.strokeStyle = GROUP_STYLE[bar.status].color;
        ctx.strokeRect(x0 + 0.5, y + 0.5, w - 1, h - 1);
      }
      if (frame.highlight === bar.key) {
        ctx.strokeStyle = colors.fg;
        ctx.lineWidth = 2;
        ctx.strokeRect(x0 - 1, y - 1, w + 2, h + 2);
        ctx.lineWidth = 1;
      }
      hits.push({ bar, x: x0, y, w, h });
    }
  });
  return hits;
}

function ellipsize(ctx: CanvasRenderingContext2D, text: string, maxWidth: number): string {
  if (ctx.measureText(text).width <= maxWidth) return text;
  let cut = text;
  while (cut.length > 1 && ctx.measureText(`…${cut}`).width > maxWidth) cut = cut.slice(1);
  return `…${cut}`;
}

/** The bar under a point, preferring the nearest within a few pixels when none is hit exactly. */
export function hitTest(hits: HitBox[], x: number, y: number): HitBox | null {
  let best: HitBox | null = null;
  let bestDistance = 4;
  for (const hit of hits) {
    if (y < hit.y - 2 || y > hit.y + hit.h + 2) continue;
    const distance = x < hit.x ? hit.x - x : x > hit.x + hit.w ? x - hit.x - hit.w : 0;
    if (distance <= bestDistance) {
      best = hit;
      bestDistance = distance;
    }
  }
  return best;
}

// Draws the timeline: one lane per track, a shared time axis ending at `now`, each group a bar
// from its first byte to its last, filled by status, taller with size.
//
// Drawn every animation frame while live, so it is kept cheap: only the lanes in view, bars that
// fall within the same pixel merged into one, and one path per status instead of a call per bar.
// Hit testing works from the same geometry on demand, so drawing allocates nothing per bar.

import type { GroupBar, GroupStatus } from "../../main/ipc/contract.ts";
import { GROUP_STYLE, makeFill } from "./group-style.ts";

export const AXIS_HEIGHT = 22;
export const LANE_HEIGHT = 34;
export const LABEL_WIDTH = 170;
/** A bar is at least this wide so a group that arrived in one instant is still visible. */
const MIN_BAR_PX = 2;
const SKIPPED_BAR_PX = 6;
const STATUSES = Object.keys(GROUP_STYLE) as GroupStatus[];

export interface Lane {
  key: string;
  /** The track name, and the broadcast it belongs to (drawn smaller above it). */
  label: string;
  broadcast: string;
}

export interface TimelineFrame {
  /** The canvas in CSS pixels: the visible part of the lanes, the axis on top. */
  width: number;
  height: number;
  lanes: Lane[];
  /** Each lane's bars, oldest first. */
  bars: Map<string, GroupBar[]>;
  now: number;
  windowMs: number;
  /** Times on the axis are relative to this (the connection's start). */
  origin: number;
  /** How far the lanes are scrolled under the axis, in CSS pixels. */
  scrollTop: number;
  colors: { fg: string; muted: string; grid: string; bg: string };
  highlight: string | null;
}

interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Where things go on the canvas for one frame. */
interface Geometry {
  plotX: number;
  plotW: number;
  start: number;
  now: number;
  windowMs: number;
}

function geometryOf(frame: TimelineFrame): Geometry {
  return {
    plotX: LABEL_WIDTH,
    plotW: Math.max(1, frame.width - LABEL_WIDTH - 8),
    start: frame.now - frame.windowMs,
    now: frame.now,
    windowMs: frame.windowMs,
  };
}

/** The top of lane `index` on the canvas. */
const laneTop = (index: number, scrollTop: number) => AXIS_HEIGHT + index * LANE_HEIGHT - scrollTop;

/** The bar's rectangle, or null when it lies outside the time window. */
function barRect(bar: GroupBar, g: Geometry, top: number, maxBytes: number): Rect | null {
  if (bar.lastByteAt < g.start || bar.firstByteAt > g.now) return null;
  const scale = g.plotW / g.windowMs;
  const minW = bar.status === "skipped" ? SKIPPED_BAR_PX : MIN_BAR_PX;
  const x0 = Math.min(g.plotX + g.plotW - minW, Math.max(g.plotX, g.plotX + (bar.firstByteAt - g.start) * scale));
  const end = bar.status === "arriving" ? g.now : bar.lastByteAt;
  const x1 = Math.min(g.plotX + g.plotW, g.plotX + (end - g.start) * scale);
  // A skipped group has no duration: give its marker room to be seen.
  const w = Math.max(minW, x1 - x0);
  // Taller with size (square root, so small groups stay visible next to keyframes).
  const h = (LANE_HEIGHT - 8) * (bar.status === "skipped" ? 1 : 0.3 + 0.7 * Math.sqrt(bar.bytes / maxBytes));
  return { x: x0, y: top + LANE_HEIGHT - 4 - h, w, h };
}

function largestGroup(bars: readonly GroupBar[]): number {
  let max = 1;
  for (const bar of bars) if (bar.bytes > max) max = bar.bytes;
  return max;
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

/** Rectangles to fill, per status, as flat x, y, w, h runs. */
type Batches = Map<GroupStatus, number[]>;

export function drawTimeline(ctx: CanvasRenderingContext2D, frame: TimelineFrame): void {
  const { width, height, lanes, colors, scrollTop } = frame;
  const g = geometryOf(frame);
  ctx.clearRect(0, 0, width, height);
  drawGrid(ctx, frame, g);

  const batches: Batches = new Map(STATUSES.map((s) => [s, []]));
  let highlighted: Rect | null = null;
  const first = Math.max(0, Math.floor(scrollTop / LANE_HEIGHT));
  const last = Math.min(lanes.length - 1, Math.floor((scrollTop + height - AXIS_HEIGHT) / LANE_HEIGHT));
  for (let index = first; index <= last; index++) {
    const lane = lanes[index]!;
    const top = laneTop(index, scrollTop);
    ctx.strokeStyle = colors.grid;
    ctx.beginPath();
    ctx.moveTo(0, top + LANE_HEIGHT + 0.5);
    ctx.lineTo(width, top + LANE_HEIGHT + 0.5);
    ctx.stroke();
    drawLabel(ctx, lane, top, colors);
    const found = collectBars(frame.bars.get(lane.key) ?? [], g, top, batches, frame.highlight);
    highlighted ??= found;
  }

  for (const status of STATUSES) {
    const runs = batches.get(status)!;
    if (runs.length === 0) continue;
    ctx.fillStyle = fillFor(ctx, status);
    ctx.beginPath();
    for (let i = 0; i < runs.length; i += 4) ctx.rect(runs[i]!, runs[i + 1]!, runs[i + 2]!, runs[i + 3]!);
    ctx.fill();
    if (status === "complete") continue;
    // Patterned fills get an outline in their colour so a thin one still reads.
    ctx.strokeStyle = GROUP_STYLE[status].color;
    ctx.beginPath();
    for (let i = 0; i < runs.length; i += 4) {
      ctx.rect(runs[i]! + 0.5, runs[i + 1]! + 0.5, runs[i + 2]! - 1, runs[i + 3]! - 1);
    }
    ctx.stroke();
  }
  if (highlighted) {
    ctx.strokeStyle = colors.fg;
    ctx.lineWidth = 2;
    ctx.strokeRect(highlighted.x - 1, highlighted.y - 1, highlighted.w + 2, highlighted.h + 2);
    ctx.lineWidth = 1;
  }
  drawAxis(ctx, frame, g);
}

/**
 * Add a lane's bars to the batches. Consecutive complete groups that land within a pixel of each
 * other become one rectangle as tall as the tallest: at 60 groups a second over a minute, a lane
 * has far more groups than pixels. Returns the highlighted group's rectangle, if it is here.
 */
function collectBars(
  bars: readonly GroupBar[],
  g: Geometry,
  top: number,
  batches: Batches,
  highlight: string | null,
): Rect | null {
  const maxBytes = largestGroup(bars);
  const complete = batches.get("complete")!;
  let found: Rect | null = null;
  // The pending merged run of complete groups.
  let runX0 = 0;
  let runX1 = -Infinity;
  let runY = 0;
  const flush = () => {
    if (runX1 === -Infinity) return;
    complete.push(runX0, runY, runX1 - runX0, top + LANE_HEIGHT - 4 - runY);
    runX1 = -Infinity;
  };
  for (const bar of bars) {
    const r = barRect(bar, g, top, maxBytes);
    if (!r) continue;
    if (highlight === bar.key) found = r;
    if (bar.status !== "complete") {
      batches.get(bar.status)!.push(r.x, r.y, r.w, r.h);
      continue;
    }
    if (r.x <= runX1 + 1) {
      runX0 = Math.min(runX0, r.x);
      runX1 = Math.max(runX1, r.x + r.w);
      runY = Math.min(runY, r.y);
    } else {
      flush();
      runX0 = r.x;
      runX1 = r.x + r.w;
      runY = r.y;
    }
  }
  flush();
  return found;
}

function drawGrid(ctx: CanvasRenderingContext2D, frame: TimelineFrame, g: Geometry): void {
  const { height, origin, colors } = frame;
  const step = tickStep(g.windowMs);
  ctx.strokeStyle = colors.grid;
  ctx.lineWidth = 1;
  ctx.beginPath();
  for (let t = firstTick(g, origin, step); t <= g.now; t += step) {
    const x = Math.round(xOf(g, t)) + 0.5;
    ctx.moveTo(x, AXIS_HEIGHT);
    ctx.lineTo(x, height);
  }
  ctx.stroke();
  // Before the connection started nothing could arrive: shade it so an empty start reads right.
  if (origin > g.start) {
    ctx.fillStyle = colors.grid;
    ctx.globalAlpha = 0.25;
    ctx.fillRect(g.plotX, AXIS_HEIGHT, Math.min(g.plotW, xOf(g, origin) - g.plotX), height - AXIS_HEIGHT);
    ctx.globalAlpha = 1;
  }
}

/** The time axis, drawn last over an opaque band so lanes scrolled up slide under it. */
function drawAxis(ctx: CanvasRenderingContext2D, frame: TimelineFrame, g: Geometry): void {
  const { width, origin, colors } = frame;
  ctx.fillStyle = colors.bg;
  ctx.fillRect(0, 0, width, AXIS_HEIGHT);
  const step = tickStep(g.windowMs);
  ctx.strokeStyle = colors.grid;
  ctx.beginPath();
  for (let t = firstTick(g, origin, step); t <= g.now; t += step) {
    const x = Math.round(xOf(g, t)) + 0.5;
    ctx.moveTo(x, AXIS_HEIGHT - 4);
    ctx.lineTo(x, AXIS_HEIGHT);
  }
  ctx.stroke();
  ctx.font = "11px system-ui, sans-serif";
  ctx.textBaseline = "middle";
  ctx.fillStyle = colors.muted;
  for (let t = firstTick(g, origin, step); t <= g.now; t += step) {
    const x = Math.round(xOf(g, t)) + 0.5;
    const seconds = (t - origin) / 1000;
    const label = `${step < 1000 ? seconds.toFixed(1) : seconds.toFixed(0)} s`;
    // Labels are short: 40 px is room enough for any of them.
    if (x + 43 <= width) ctx.fillText(label, x + 3, AXIS_HEIGHT / 2);
  }
}

const xOf = (g: Geometry, t: number) => g.plotX + ((t - g.start) / g.windowMs) * g.plotW;
const firstTick = (g: Geometry, origin: number, step: number) => Math.ceil((g.start - origin) / step) * step + origin;

function drawLabel(ctx: CanvasRenderingContext2D, lane: Lane, top: number, colors: TimelineFrame["colors"]): void {
  ctx.textBaseline = "middle";
  ctx.fillStyle = colors.muted;
  ctx.font = "10px system-ui, sans-serif";
  ctx.fillText(ellipsize(ctx, lane.broadcast, LABEL_WIDTH - 12, "10"), 8, top + 10);
  ctx.fillStyle = colors.fg;
  ctx.font = "12px system-ui, sans-serif";
  ctx.fillText(ellipsize(ctx, lane.label, LABEL_WIDTH - 12, "12"), 8, top + 24);
}

// Label shortening measures text in a loop: remember the answers, which never change for a name.
const shortened = new Map<string, string>();

function ellipsize(ctx: CanvasRenderingContext2D, text: string, maxWidth: number, font: string): string {
  const key = `${font}|${maxWidth}|${text}`;
  const known = shortened.get(key);
  if (known !== undefined) return known;
  let result = text;
  if (ctx.measureText(text).width > maxWidth) {
    let cut = text;
    while (cut.length > 1 && ctx.measureText(`…${cut}`).width > maxWidth) cut = cut.slice(1);
    result = `…${cut}`;
  }
  if (shortened.size > 2000) shortened.clear();
  shortened.set(key, result);
  return result;
}

/** The group under a point (CSS pixels on the canvas), or the nearest within a few pixels. */
export function hitTest(frame: TimelineFrame, x: number, y: number): GroupBar | null {
  if (y < AXIS_HEIGHT || x < LABEL_WIDTH) return null;
  const index = Math.floor((y - AXIS_HEIGHT + frame.scrollTop) / LANE_HEIGHT);
  const lane = frame.lanes[index];
  if (!lane) return null;
  const bars = frame.bars.get(lane.key) ?? [];
  const g = geometryOf(frame);
  const top = laneTop(index, frame.scrollTop);
  const maxBytes = largestGroup(bars);
  let best: GroupBar | null = null;
  let bestDistance = 4;
  for (const bar of bars) {
    const r = barRect(bar, g, top, maxBytes);
    if (!r || y < r.y - 2 || y > r.y + r.h + 2) continue;
    const distance = x < r.x ? r.x - x : x > r.x + r.w ? x - r.x - r.w : 0;
    // On a tie the newer group wins: it is the one drawn on top.
    if (distance <= bestDistance) {
      best = bar;
      bestDistance = distance;
    }
  }
  return best;
}

// How each group status looks on the timeline: a colour from the Okabe–Ito palette and a fill
// pattern, so a status reads without telling colours apart.

import type { GroupStatus } from "../../main/ipc/contract.ts";

export interface StatusStyle {
  color: string;
  pattern: "solid" | "stripes" | "cross" | "dots" | "vertical";
  label: string;
}

export const GROUP_STYLE: Record<GroupStatus, StatusStyle> = {
  complete: { color: "#0072B2", pattern: "solid", label: "complete" },
  arriving: { color: "#56B4E9", pattern: "stripes", label: "arriving" },
  reset: { color: "#D55E00", pattern: "cross", label: "reset" },
  skipped: { color: "#999999", pattern: "dots", label: "skipped (never arrived)" },
  "out-of-order": { color: "#E69F00", pattern: "vertical", label: "out of order" },
};

/** A repeating fill for a status, drawn once per canvas context. */
export function makeFill(ctx: CanvasRenderingContext2D, style: StatusStyle): string | CanvasPattern {
  if (style.pattern === "solid") return style.color;
  const tile = document.createElement("canvas");
  tile.width = 6;
  tile.height = 6;
  const t = tile.getContext("2d");
  if (!t) return style.color;
  t.fillStyle = style.color;
  t.globalAlpha = 0.45;
  t.fillRect(0, 0, 6, 6);
  t.globalAlpha = 1;
  t.strokeStyle = style.color;
  t.fillStyle = style.color;
  t.lineWidth = 1.5;
  t.beginPath();
  switch (style.pattern) {
    case "stripes":
      t.moveTo(0, 6);
      t.lineTo(6, 0);
      break;
    case "cross":
      t.moveTo(0, 0);
      t.lineTo(6, 6);
      t.moveTo(0, 6);
      t.lineTo(6, 0);
      break;
    case "vertical":
      t.moveTo(3, 0);
      t.lineTo(3, 6);
      break;
    case "dots":
      t.arc(3, 3, 1.2, 0, Math.PI * 2);
      t.fill();
      break;
  }
  t.stroke();
  return ctx.createPattern(tile, "repeat") ?? style.color;
}

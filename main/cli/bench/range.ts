// The load knobs of `moqscope bench`: each a single number or a `min:max` range, drawn from
// uniformly (counts once per connection or broadcast, frame sizes once per frame).

import { UsageError } from "../errors.ts";

export interface Range {
  readonly min: number;
  readonly max: number;
}

export interface RangeRules {
  /** Smallest value allowed. */
  min: number;
  /** Largest value allowed. */
  max: number;
  /** Whole numbers only (counts, bytes); otherwise fractions are fine (frames per second). */
  integer: boolean;
}

const NUMBER = /^(\d+(\.\d*)?|\.\d+)$/;

/** Parse "N" or "MIN:MAX"; throws UsageError naming the flag. */
export function parseRange(
  command: string,
  flag: string,
  raw: string | undefined,
  fallback: Range,
  rules: RangeRules,
): Range {
  if (raw === undefined) return fallback;
  const kind = rules.integer ? "an integer" : "a number";
  const expected = `${flag} must be ${kind} from ${rules.min} to ${rules.max}, or a range MIN:MAX (got ${JSON.stringify(raw)})`;
  const parts = raw.trim().split(":");
  if (parts.length > 2) throw new UsageError(expected, command);
  const values = parts.map((p) => {
    const text = p.trim();
    const n = Number(text);
    if (!NUMBER.test(text) || !Number.isFinite(n) || (rules.integer && !Number.isSafeInteger(n)))
      throw new UsageError(expected, command);
    if (n < rules.min || n > rules.max) throw new UsageError(expected, command);
    return n;
  });
  const min = values[0]!;
  const max = values[1] ?? min;
  if (max < min)
    throw new UsageError(`${flag}: the range ${raw.trim()} is backwards (write MIN:MAX with MIN <= MAX)`, command);
  return { min, max };
}

/** A uniform draw from the range: whole numbers for integer ranges, any value otherwise. */
export function pick(range: Range, integer: boolean, random: () => number = Math.random): number {
  if (range.min === range.max) return range.min;
  if (integer) return range.min + Math.floor(random() * (range.max - range.min + 1));
  return range.min + random() * (range.max - range.min);
}

/** "30" or "10:60", as given back in reports. */
export function formatRange(range: Range): string {
  return range.min === range.max ? String(range.min) : `${range.min}:${range.max}`;
}

// Small readers shared by the model tests.
import type { GroupConsumer } from "../../../main/moq/model/group.ts";
import type { TrackConsumer } from "../../../main/moq/model/track.ts";

export const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);
export const text = (s: string): Uint8Array => new TextEncoder().encode(s);
export const str = (b: Uint8Array): string => new TextDecoder().decode(b);

/** Read a group to its end; rejects if the group was aborted. */
export async function readAll(group: GroupConsumer): Promise<Uint8Array[]> {
  const frames: Uint8Array[] = [];
  for (let f = await group.readFrame(); f; f = await group.readFrame()) frames.push(f);
  return frames;
}

/** Read a track to its end: every group in delivery order with its frames as strings. */
export async function readTrack(track: TrackConsumer): Promise<Array<[number, string[]]>> {
  const out: Array<[number, string[]]> = [];
  for (let g = await track.nextGroup(); g; g = await track.nextGroup()) {
    out.push([g.sequence, (await readAll(g)).map(str)]);
  }
  return out;
}

/** Let pending promise reactions run. */
export const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

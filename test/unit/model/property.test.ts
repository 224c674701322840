// For any interleaving of writes and reads, every reader gets exactly the writer's frames per
// group, and the groups it should see (all of them for a reader present from the start; the
// latest at creation plus everything later for a reader that joins late).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TrackProducer } from "../../../main/moq/model/track.ts";
import { tick } from "./helpers.ts";

type WriterStep =
  | { kind: "open"; group: number }
  | { kind: "frame"; group: number; frame: Uint8Array }
  | { kind: "close"; group: number };
type Step = { kind: "write" } | { kind: "read"; reader: number } | { kind: "join" } | { kind: "tick" };

/** A reader that takes one step (nextGroup or readFrame) each time it is granted a permit. */
class SteppedReader {
  readonly got = new Map<number, Uint8Array[]>();
  readonly order: number[] = [];
  #permits = 0;
  #wake: (() => void) | undefined;
  readonly done: Promise<void>;

  constructor(readonly track: ReturnType<TrackProducer["consume"]>) {
    this.done = this.#run();
  }

  grant(n = 1): void {
    this.#permits += n;
    this.#wake?.();
  }

  async #permit(): Promise<void> {
    while (this.#permits === 0) await new Promise<void>((resolve) => (this.#wake = resolve));
    this.#permits--;
  }

  async #run(): Promise<void> {
    // Groups are read one after another here, but frames of different readers interleave freely
    // with the writer, which is what the model must get right.
    for (;;) {
      await this.#permit();
      const group = await this.track.nextGroup();
      if (!group) return;
      this.order.push(group.sequence);
      const frames: Uint8Array[] = [];
      this.got.set(group.sequence, frames);
      for (;;) {
        await this.#permit();
        const frame = await group.readFrame();
        if (!frame) break;
        frames.push(frame);
      }
    }
  }
}

const groupsArb = fc.array(fc.array(fc.uint8Array({ maxLength: 6 }), { maxLength: 5 }), { maxLength: 6 });

describe("model property", () => {
  it("readers get exactly the writer's frames per group under any interleaving", async () => {
    await fc.assert(
      fc.asyncProperty(
        groupsArb,
        fc.uniqueArray(fc.nat(1_000), { minLength: 6, maxLength: 6 }),
        fc.array(
          fc.oneof(
            fc.constant<Step>({ kind: "write" }),
            fc.integer({ min: 0, max: 3 }).map<Step>((reader) => ({ kind: "read", reader })),
            fc.constant<Step>({ kind: "join" }),
            fc.constant<Step>({ kind: "tick" }),
          ),
          { maxLength: 80 },
        ),
        fc.boolean(),
        async (groups, sequences, steps, explicit) => {
          const seqOf = (g: number): number => (explicit ? sequences[g]! : g);
          // The writer's script: each group opened, filled and closed in turn.
          const script: WriterStep[] = [];
          groups.forEach((frames, group) => {
            script.push({ kind: "open", group });
            for (const frame of frames) script.push({ kind: "frame", group, frame });
            script.push({ kind: "close", group });
          });

          const track = new TrackProducer("p", { maxCachedGroups: 16 });
          const open = new Map<number, ReturnType<TrackProducer["openGroup"]>>();
          const readers: SteppedReader[] = [new SteppedReader(track.consume())];
          // What each reader must see: the group indexes, in delivery order.
          const expectedGroups: number[][] = [[]];
          let written = 0;
          let opened = 0;

          const runWrite = (): void => {
            const step = script[written++];
            if (!step) return;
            if (step.kind === "open") {
              open.set(step.group, track.openGroup(explicit ? seqOf(step.group) : undefined));
              opened++;
              for (const exp of expectedGroups) exp.push(step.group);
            } else if (step.kind === "frame") open.get(step.group)!.writeFrame(step.frame);
            else open.get(step.group)!.close();
          };

          for (const step of steps) {
            if (step.kind === "write") runWrite();
            else if (step.kind === "read") readers[step.reader % readers.length]!.grant();
            else if (step.kind === "tick") await tick();
            else if (readers.length < 4) {
              // A late reader starts at the highest sequence opened so far.
              let latest: number | undefined;
              for (let g = 0; g < opened; g++) if (latest === undefined || seqOf(g) > seqOf(latest)) latest = g;
              expectedGroups.push(latest === undefined ? [] : [latest]);
              readers.push(new SteppedReader(track.consume()));
            }
          }
          while (written < script.length) runWrite();
          track.close();
          for (const r of readers) r.grant(Infinity);
          await Promise.all(readers.map((r) => r.done));

          readers.forEach((reader, i) => {
            const exp = expectedGroups[i]!;
            expect(reader.order).toEqual(exp.map(seqOf));
            for (const g of exp) expect(reader.got.get(seqOf(g))).toEqual(groups[g]);
            expect(reader.track.skippedGroups).toBe(0);
          });
        },
      ),
      { numRuns: 200 },
    );
  });
});

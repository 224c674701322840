// --clock: the studio's clock broadcast (the one the demo publishes) under the given broadcast and
// track, at --fps frames a second (default 1) and --group-frames frames a group (default 60, a
// group per UTC minute). Late subscribers join at the latest group, as with any live track.

import type { TrackMux } from "../../moq/node.ts";
import { ClockBroadcast } from "../../studio/demo/clock.ts";
import { plural } from "../format.ts";
import { whenAborted } from "../signals.ts";
import type { PubContext, PubOutcome, PubSettings, PubSource, PubTally } from "./source.ts";

const decoder = new TextDecoder();

export class ClockSource implements PubSource {
  readonly #settings: PubSettings;
  #clock?: ClockBroadcast;
  #ctx?: PubContext;

  constructor(settings: PubSettings) {
    this.#settings = settings;
  }

  register(mux: TrackMux): void {
    const { track, fps, groupFrames, datagrams, trackInfo } = this.#settings;
    this.#clock = new ClockBroadcast({
      track,
      fps,
      groupFrames,
      datagrams,
      trackInfo,
      onFrame: (frame, group, index) => {
        const ctx = this.#ctx;
        if (!ctx) return;
        const open = ctx.tracker.open(track).length;
        ctx.out.status(`${decoder.decode(frame)} · group ${group} frame ${index} · ${plural(open, "subscriber")}`);
      },
    });
    mux.publishBroadcast(this.#settings.broadcast, this.#clock.broadcast);
  }

  /** What was published so far (also when the session ends under a running clock). */
  get tally(): PubTally {
    return { ...(this.#clock?.tally ?? { frames: 0, bytes: 0, groups: 0 }) };
  }

  async run(ctx: PubContext): Promise<PubOutcome> {
    const clock = this.#clock!;
    const { track, fps } = this.#settings;
    this.#ctx = ctx;
    ctx.out.note(`publishing the time on track "${track}" at ${fps ?? 1} fps until interrupted`);
    clock.start();
    await whenAborted(ctx.signal);
    clock.stop();
    return { kind: "interrupted", tally: this.tally };
  }
}

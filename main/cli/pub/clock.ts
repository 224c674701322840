// --clock: the current UTC time as ISO-8601 text, one frame per tick, into one shared track.
// Late subscribers join at the latest group, as with any live track.

import { BroadcastProducer } from "../../moq/index.ts";
import type { TrackMux, TrackProducer } from "../../moq/index.ts";
import { plural } from "../format.ts";
import { pump } from "./pump.ts";
import type { PubContext, PubOutcome, PubSettings, PubSource } from "./source.ts";

const encoder = new TextEncoder();

async function* clockFrames(): AsyncGenerator<Uint8Array> {
  for (;;) yield encoder.encode(new Date().toISOString());
}

export class ClockSource implements PubSource {
  readonly #settings: PubSettings;
  readonly #broadcast = new BroadcastProducer();
  #track?: TrackProducer;

  constructor(settings: PubSettings) {
    this.#settings = settings;
  }

  register(mux: TrackMux): void {
    this.#track = this.#broadcast.createTrack(this.#settings.track);
    mux.publishBroadcast(this.#settings.broadcast, this.#broadcast);
  }

  async run(ctx: PubContext): Promise<PubOutcome> {
    const { track, groupFrames, fps } = this.#settings;
    ctx.out.note(`publishing the time on track "${track}" at ${fps ?? 1} fps until interrupted`);
    const tally = await pump(clockFrames(), this.#track!, {
      groupFrames,
      fps: fps ?? 1,
      signal: ctx.signal,
      onFrame: (frame, group, index) => {
        const open = ctx.tracker.open(track).length;
        ctx.out.status(`${new TextDecoder().decode(frame)} · group ${group} frame ${index} · ${plural(open, "subscriber")}`);
      },
    });
    this.#broadcast.close();
    return { kind: "interrupted", tally };
  }
}

// --stdin: standard input into one shared track, read once the first subscriber arrives (so it
// sees everything from the start; later ones join at the latest group). After end of input the
// track closes and we are done once the open subscriptions have sent what they have.

import { BroadcastProducer, TrackProducer } from "../../moq/node.ts";
import type { TrackMux } from "../../moq/node.ts";
import { formatBytes, plural } from "../format.ts";
import { whenAborted } from "../signals.ts";
import { streamFrames } from "./frames.ts";
import { pump } from "./pump.ts";
import { linger, windowFrames } from "./source.ts";
import type { PubContext, PubOutcome, PubSettings, PubSource } from "./source.ts";

/** A partial frame goes out when the input pauses this long. */
const IDLE_FLUSH_MS = 100;

export class StdinSource implements PubSource {
  readonly #settings: PubSettings;
  readonly #input: AsyncIterable<Uint8Array>;
  readonly #broadcast: BroadcastProducer;
  #track?: TrackProducer;
  #firstSubscriber!: () => void;
  readonly #subscribed = new Promise<void>((resolve) => (this.#firstSubscriber = resolve));

  constructor(settings: PubSettings, input: AsyncIterable<Uint8Array> = process.stdin) {
    this.#settings = settings;
    this.#input = input;
    // TRACK asks before the track exists: the broadcast answers with these properties.
    this.#broadcast = new BroadcastProducer({ track: settings.trackInfo });
  }

  register(mux: TrackMux): void {
    const name = this.#settings.track;
    // The track exists from the first request on; input is read only once.
    this.#broadcast.onTrackRequest((requested) => {
      if (requested !== name || this.#track) return undefined;
      this.#track = new TrackProducer(name, this.#settings.trackInfo);
      this.#firstSubscriber();
      return this.#track;
    });
    mux.publishBroadcast(this.#settings.broadcast, this.#broadcast);
  }

  async run(ctx: PubContext): Promise<PubOutcome> {
    const { broadcast, track, frameBytes, groupFrames, fps, datagrams } = this.#settings;
    const tracker = ctx.tracker;
    const empty = { frames: 0, bytes: 0, groups: 0 };
    let written = 0;
    let inGroup = 0;
    // A subscriber joins at the latest group: note which frame that starts at, for pacing.
    tracker.onSubscribe((s) => {
      if (s.track === track) s.offset = written - inGroup;
    });

    if (!this.#track)
      ctx.out.note(`waiting for a subscriber to "${broadcast}" track "${track}" before reading standard input…`);
    const first = await Promise.race([this.#subscribed.then(() => true), whenAborted(ctx.signal).then(() => false)]);
    if (!first) return { kind: "interrupted", tally: empty };
    ctx.out.note("reading standard input");

    const window = windowFrames(frameBytes);
    const trackWriter = this.#track!;
    const tally = await pump(streamFrames(this.#input, frameBytes, IDLE_FLUSH_MS), trackWriter, {
      groupFrames,
      datagrams,
      fps,
      signal: ctx.signal,
      // Keep up with the fastest open subscription; nobody listening = nothing to wait for.
      admit: (index) =>
        tracker.until(() => {
          const open = tracker.open(track);
          return open.length === 0 || open.some((s) => s.offset + s.framesSent >= index - window);
        }, ctx.signal),
      onFrame: (_frame, _group, index) => {
        written++;
        inGroup = index + 1;
      },
    });
    if (!tally.complete) {
      this.#broadcast.close();
      return { kind: "interrupted", tally };
    }
    trackWriter.close();
    const open = tracker.open(track).length;
    ctx.out.note(
      `end of input: ${formatBytes(tally.bytes)} in ${plural(tally.frames, "frame")}` +
        (open > 0 ? `; waiting for ${plural(open, "subscription")} to finish sending` : ""),
    );
    const finished = await tracker.until(() => tracker.open(track).length === 0, ctx.signal);
    // A session that closed while subscriptions were still sending ended them, not the work.
    const done = finished && tracker.cutByClose(track) === 0;
    if (done && tracker.count > 0) await linger(ctx.session, ctx.signal);
    this.#broadcast.close();
    return { kind: done ? "done" : "interrupted", tally };
  }
}

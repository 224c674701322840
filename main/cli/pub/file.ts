// --file: every subscription gets the whole file from its first byte (a handler per subscription),
// cut into frames and groups. Done once one subscriber received all of it and no other transfer
// is still in progress.

import { ErrorCode } from "../../moq/node.ts";
import type { SubscribeRequest, TrackMux, TrackWriter } from "../../moq/node.ts";
import { formatBytes, formatDuration, plural } from "../format.ts";
import { whenAborted } from "../signals.ts";
import { fileFrames } from "./frames.ts";
import { pump } from "./pump.ts";
import { linger, windowFrames } from "./source.ts";
import type { PubContext, PubOutcome, PubSettings, PubSource, PubTally } from "./source.ts";

export class FileSource implements PubSource {
  readonly #settings: PubSettings;
  readonly #path: string;
  readonly #size: number;
  #ctx?: PubContext;
  #setCtx!: (ctx: PubContext) => void;
  readonly #ready = new Promise<PubContext>((resolve) => (this.#setCtx = resolve));
  #delivered!: (tally: PubTally) => void;
  readonly #done = new Promise<PubTally>((resolve) => (this.#delivered = resolve));
  #sent: PubTally = { frames: 0, bytes: 0, groups: 0 };

  constructor(settings: PubSettings, path: string, size: number) {
    this.#settings = settings;
    this.#path = path;
    this.#size = size;
  }

  register(mux: TrackMux): void {
    mux.publish(this.#settings.broadcast, (writer, request) => this.#serve(writer, request), this.#settings.trackInfo);
  }

  /** Done once one subscriber received the whole file and no other is still being sent it. */
  async run(ctx: PubContext): Promise<PubOutcome> {
    this.#ctx = ctx;
    this.#setCtx(ctx);
    const { broadcast, track } = this.#settings;
    if (ctx.tracker.count === 0) {
      ctx.out.note(
        `waiting for a subscriber to "${broadcast}" track "${track}" (${formatBytes(this.#size)} from ${this.#path})…`,
      );
    }
    const delivered = await Promise.race([this.#done, whenAborted(ctx.signal).then(() => undefined)]);
    if (!delivered) return { kind: "interrupted", tally: this.#sent };
    // Let subscriptions still in progress finish too, then give the last bytes time to land.
    const finished = await ctx.tracker.until(() => ctx.tracker.open(track).length === 0, ctx.signal);
    if (finished) await linger(ctx.session, ctx.signal);
    return { kind: finished ? "done" : "interrupted", tally: delivered };
  }

  /** One subscription: send the file from the start, then wait for our FIN to go out. */
  async #serve(writer: TrackWriter, request: SubscribeRequest): Promise<void> {
    const ctx = this.#ctx ?? (await this.#ready);
    const { track, frameBytes, groupFrames, fps, datagrams } = this.#settings;
    if (request.track !== track) {
      writer.closeWithError(ErrorCode.NotFound, `no track "${request.track}" here (this broadcast has "${track}")`);
      return;
    }
    const served = ctx.tracker.served(request.subscribeId);
    let closing = false;
    let gone = false;
    void writer.closed.then(() => {
      if (!closing) gone = true;
      ctx.tracker.recheck();
    });

    const window = windowFrames(frameBytes);
    const started = performance.now();
    const result = await pump(fileFrames(this.#path, frameBytes), writer, {
      groupFrames,
      datagrams,
      fps,
      signal: ctx.signal,
      admit: async (index) => {
        if (served)
          await ctx.tracker.until(
            () => gone || served.end !== undefined || served.framesSent >= index - window,
            ctx.signal,
          );
        return !gone && !served?.end && !ctx.signal.aborted;
      },
      onFrame: (frame) => {
        this.#sent.frames++;
        this.#sent.bytes += frame.length;
      },
    });
    this.#sent.groups += result.groups;
    if (!result.complete) {
      if (!gone) writer.closeWithError(ErrorCode.Cancelled, "publisher stopped");
      return;
    }
    closing = true;
    writer.close();
    if (served) {
      await ctx.tracker.until(() => served.end !== undefined);
      if (served.end !== "fin" || served.framesSent < result.frames) return;
    }
    const durationMs = performance.now() - started;
    const who = served ? `subscriber ${served.number}` : "a subscriber";
    ctx.out.record(
      {
        event: "delivered",
        subscriber: served?.number ?? null,
        broadcast: this.#settings.broadcast,
        track,
        frames: result.frames,
        bytes: result.bytes,
        groups: result.groups,
        durationMs: Math.round(durationMs),
      },
      `delivered ${this.#path} to ${who}: ${formatBytes(result.bytes)} in ${plural(result.frames, "frame")}, ${plural(result.groups, "group")}, ${formatDuration(durationMs)}`,
    );
    this.#delivered({ frames: result.frames, bytes: result.bytes, groups: result.groups });
  }
}

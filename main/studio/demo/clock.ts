// The clock broadcast, in the spirit of moq-dev's moq-clock: track `clock` carries one frame per
// second with that second's UTC time as ISO-8601 text (e.g. "2026-11-03T12:34:56.000Z"), and a new
// group starts at every UTC minute, so a late joiner gets the current minute from its start.

import { BroadcastProducer } from "../../moq/model/broadcast.ts";
import type { GroupProducer } from "../../moq/model/group.ts";
import type { TrackMux } from "../../moq/mux.ts";
import { Pacer } from "./pacer.ts";
import type { DemoPart } from "./video.ts";

export const CLOCK_TRACK = "clock";

/** Publish the clock broadcast at `path` on `mux` and start ticking on whole seconds. */
export function startClockDemo(mux: TrackMux, path: string, clock: () => number): DemoPart {
  const broadcast = new BroadcastProducer();
  const track = broadcast.createTrack(CLOCK_TRACK, { maxCachedGroups: 2 });
  const encoder = new TextEncoder();
  let group: GroupProducer | undefined;
  let minute = -1;

  const pacer = new Pacer({
    clock,
    // Tick on whole seconds; the first (current) second is written at once.
    origin: Math.floor(clock() / 1000) * 1000,
    intervalMs: 1000,
    onTick: (_index, dueMs) => {
      if (broadcast.isEnded) {
        pacer.stop();
        return;
      }
      const thisMinute = Math.floor(dueMs / 60_000);
      if (!group || thisMinute !== minute) {
        group?.close();
        group = track.openGroup();
        minute = thisMinute;
      }
      group.writeFrame(encoder.encode(new Date(dueMs).toISOString()));
    },
  });

  mux.publishBroadcast(path, broadcast);
  pacer.start();

  return {
    stop() {
      pacer.stop();
      group?.close();
      broadcast.close();
    },
  };
}

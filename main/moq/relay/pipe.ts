// Copy a network subscription into a relay-owned track, group by group and frame by frame as
// they arrive. The relay's track, not the subscription's own buffer, is what downstream sessions
// read: its consumers are exactly the downstream subscribers, so "last one left" is observable.

import { ErrorCode, MoqError } from "../errors.ts";
import type { TrackProducer } from "../model/track.ts";
import type { EndInfo, GroupReader, GroupWriter, TrackReader } from "../model/types.ts";

/** Told about each group and frame copied, for the relay's metrics. */
export interface PipeTraffic {
  group(datagram: boolean): void;
  frame(bytes: number): void;
}

/** Resolves when the source ended (undefined) or failed (its EndInfo); the target is ended the same way. */
export async function pipeTrack(
  source: TrackReader,
  target: TrackProducer,
  traffic?: PipeTraffic,
): Promise<EndInfo | undefined> {
  for (;;) {
    let group: GroupReader | undefined;
    try {
      group = await source.nextGroup();
    } catch (err) {
      const info = endInfoOf(err);
      target.closeWithError(info.code, info.reason);
      return info;
    }
    if (!group) {
      target.close();
      return undefined;
    }
    if (target.isEnded) {
      group.cancel(ErrorCode.Cancelled);
      continue;
    }
    let out: GroupWriter;
    try {
      // A datagram group stays one downstream, so subscribers on QUIC get it as a datagram too.
      out = target.openGroup(group.sequence, { datagram: group.datagram ?? false });
    } catch {
      // A duplicate sequence from the publisher: keep the first.
      group.cancel(ErrorCode.Duplicate);
      continue;
    }
    traffic?.group(group.datagram ?? false);
    void copyGroup(group, out, traffic);
  }
}

async function copyGroup(from: GroupReader, to: GroupWriter, traffic: PipeTraffic | undefined): Promise<void> {
  try {
    for (let frame; (frame = await from.readFrame()) !== undefined;) {
      to.writeFrame(frame, from.lastTimestamp);
      traffic?.frame(frame.byteLength);
    }
    to.close();
  } catch (err) {
    const info = endInfoOf(err);
    try {
      to.closeWithError(info.code, info.reason);
    } catch {
      // already ended
    }
  }
}

function endInfoOf(err: unknown): EndInfo {
  if (err instanceof MoqError) return { code: err.code, reason: err.message };
  return { code: ErrorCode.Cancelled, reason: err instanceof Error ? err.message : String(err) };
}

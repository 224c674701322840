// The in-memory producer/consumer model: a producer writes once, any number of consumers read.
export type { EndInfo, GroupReader, GroupWriter, TrackReader, TrackWriter } from "./types.ts";
export { GroupConsumer, GroupProducer, type GroupState } from "./group.ts";
export {
  DEFAULT_MAX_CACHED_GROUPS,
  TrackConsumer,
  TrackProducer,
  type TrackOptions,
  type TrackState,
} from "./track.ts";
export { BroadcastConsumer, BroadcastProducer, type BroadcastOptions, type TrackRequestHandler } from "./broadcast.ts";
export { ROOT, PathError, toPath, hasPrefix, stripPrefix, joinPath } from "./path.ts";
export type { Path } from "./path.ts";

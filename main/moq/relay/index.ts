// The embedded relay (no Electron): see relay.ts.
export { Relay } from "./relay.ts";
export type { RelayOptions, RelaySessionInfo, RelayStats } from "./relay.ts";
export { allowAll, rootOf, normalizeGrant } from "./grant.ts";
export type { Authorize, Grant } from "./grant.ts";
export { formatLogEntry, logEntry } from "./log.ts";
export type { RelayLogEntry, RelayLogEvent, RelayLogLevel, RelayLogger } from "./log.ts";

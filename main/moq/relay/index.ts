// The embedded relay (no Electron): see relay.ts.
export { Relay } from "./relay.ts";
export type { LiveSession, RelayOptions, RelaySessionInfo, RelayStats } from "./relay.ts";
export { startOpsServer } from "./ops-http.ts";
export type { OpsServer } from "./ops-http.ts";
export { FilterError, parseSessionFilter } from "./session-filter.ts";
export type { SessionFilter } from "./session-filter.ts";
export { allowAll, rootOf, normalizeGrant } from "./grant.ts";
export type { Authorize, Grant, GrantInput, Lease, LeaseEnd, Recheck } from "./grant.ts";
export { authServer, AuthUrlError } from "./auth-url.ts";
export type { AuthServerOptions } from "./auth-url.ts";
export { authorize, loadAuthKey } from "./auth.ts";
export { Pattern, PatternError } from "./pattern.ts";
export type { AuthKey, AuthOptions } from "./auth.ts";
export { formatLogEntry, logEntry } from "./log.ts";
export type { RelayLogEntry, RelayLogEvent, RelayLogLevel, RelayLogger } from "./log.ts";

// Workaround (checked against 1.6.8): over HTTP/2 the package's session-level flow control announces
// `initialSessionFlowControlWindow` (default 16 KiB, sent as SETTINGS_WT_INITIAL_MAX_DATA) and never
// grows it past what it announced, so any transfer stalls after 16 KiB. Both ends get the same large
// window, as initial value and limit alike, so a transfer never waits on a credit the package fails
// to grant.
export const FLOW_WINDOW = 15 * 1024 * 1024;

/** SETTINGS_WT_INITIAL_MAX_DATA, the HTTP/2 setting that carries the session window. */
export const SETTINGS_WT_INITIAL_MAX_DATA = 0x2b61;

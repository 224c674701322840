// Opening the session for a command: connect with the common options (the URL was checked with
// the other arguments), report what was negotiated, and give up quietly when the user interrupts
// while connecting.

import { connect, redactUrl } from "../moq/node.ts";
import type { ConnectionState, Session, TrackMux } from "../moq/node.ts";
import { connectOptions } from "./options.ts";
import type { CommonOptions } from "./options.ts";
import type { Output } from "./output.ts";
import { sleep, untilAborted } from "./signals.ts";

/** How long a closing session may take to flush and say goodbye before we stop waiting. */
const CLOSE_GRACE_MS = 2000;

/** The session, or undefined when the user interrupted before it was established. */
export async function openSession(
  url: string,
  common: CommonOptions,
  out: Output,
  signal: AbortSignal,
  extra: { mux?: TrackMux } = {},
): Promise<Session | undefined> {
  out.note(`connecting to ${redactUrl(url)}…`);
  const pending = connect(url, { ...connectOptions(common), ...extra });
  const result = await untilAborted(pending, signal);
  if (result === "aborted") {
    // Closing what may still arrive, so the process can end.
    pending.then(
      (s) => s.close(),
      () => {},
    );
    return undefined;
  }
  const session = result.value;
  const state = session.connectionState();
  out.info({ event: "connected", ...state }, `connected: ${describeConnection(state)}`);
  return session;
}

/** "moq-lite-04 over webtransport-h2 to https://…/ (certificate pinned 1a2b3c4d…)". */
export function describeConnection(state: ConnectionState): string {
  const negotiated = state.negotiated && state.negotiated !== state.version ? ` [${state.negotiated}]` : "";
  let tls = "";
  if (state.tls) {
    const fp = state.tls.fingerprint ? ` ${state.tls.fingerprint.slice(0, 16)}…` : "";
    tls =
      state.tls.verification === "pinned"
        ? `, certificate pinned${fp}`
        : state.tls.verification === "insecure"
          ? ", certificate NOT verified (--insecure)"
          : ", certificate verified";
  }
  const passed = state.fallback?.length ? `; passed over ${state.fallback.join("; ")}` : "";
  return `${state.version} over ${state.transport}${negotiated} to ${state.url}${tls}${passed}`;
}

/**
 * Close with code 0 and wait (briefly) until the transport is down, so data still queued for the
 * socket is sent before the process exits.
 */
export async function closeSession(session: Session, reason = ""): Promise<void> {
  session.closeWithError(0, reason);
  const closed = Promise.resolve(session.transport.session.closed).then(
    () => {},
    () => {},
  );
  await Promise.race([closed, sleep(CLOSE_GRACE_MS)]);
}

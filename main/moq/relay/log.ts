// Structured log entries of the relay. The relay never prints: it hands entries to `onLog`, so
// the CLI can print them as text or JSON lines and tests can assert on them.

export type RelayLogLevel = "info" | "warn" | "error";

export type RelayLogEvent =
  | {
      type: "listening";
      urls: string[];
      fingerprint: string;
      http3: boolean;
      /** Why WebTransport over HTTP/3 is not served, when it is not. */
      http3Off?: string;
      hop: number;
    }
  | {
      type: "session-opened";
      session: number;
      remote: string;
      root: string;
      version: string;
      transport: string;
      publish: string[];
      subscribe: string[];
      /** Read-only mounts from the grant: mount point → absolute target. */
      mounts?: Record<string, string>;
      tier?: string;
    }
  | { type: "session-refused"; remote: string; path: string; reason: string }
  | {
      type: "session-closed";
      session: number;
      remote: string;
      root: string;
      code: number;
      reason: string;
      by: "local" | "remote";
      dropped?: boolean;
    }
  /** The session's authorization ended it: expired, refused or invalid on re-check, narrowed, root changed. */
  | { type: "session-revoked"; session: number; remote: string; reason: string; message: string }
  /** A re-check of the session's grant failed; the grant stands until it expires. */
  | { type: "auth-outage"; session: number; message: string; retryMs: number }
  | { type: "announce"; session: number; path: string; hops: number[]; cost?: number }
  | { type: "unannounce"; session: number; path: string; reason: string }
  /** An announcement that already went through this relay (its hop list holds our id). */
  | { type: "loop-dropped"; session: number; path: string; hops: number[] }
  | { type: "subscribe"; session: number; broadcast: string; track: string; dedup: "hit" | "miss"; subscribers: number }
  | { type: "unsubscribe"; session: number; broadcast: string; track: string }
  | { type: "upstream-closed"; broadcast: string; track: string; reason: string }
  | { type: "error"; session?: number; message: string; code?: number };

/** One log line: what happened, how bad, and when (ms since the Unix epoch). */
export type RelayLogEntry = RelayLogEvent & { level: RelayLogLevel; at: number };

export type RelayLogger = (entry: RelayLogEntry) => void;

const LEVELS: Partial<Record<RelayLogEvent["type"], RelayLogLevel>> = {
  "session-refused": "warn",
  "session-revoked": "warn",
  "auth-outage": "warn",
  "loop-dropped": "warn",
  error: "error",
};

/** Stamp an event with its level and time. */
export function logEntry(event: RelayLogEvent): RelayLogEntry {
  return { ...event, level: LEVELS[event.type] ?? "info", at: Date.now() };
}

const shown = (path: string) => `"/${path}"`;

/** A human-readable line for an entry (without the timestamp; the printer adds one if it wants). */
export function formatLogEntry(entry: RelayLogEntry): string {
  switch (entry.type) {
    case "listening":
      return `listening on ${entry.urls.join(" ")} (certificate sha256 ${entry.fingerprint}${entry.http3 ? ", http/3 on udp" : entry.http3Off ? `, no http/3: ${entry.http3Off}` : ""}; hop id ${entry.hop})`;
    case "session-opened":
      return `session #${entry.session} opened from ${entry.remote}: root ${shown(entry.root)}, ${entry.version} over ${entry.transport}; ${grantText(entry.publish, entry.subscribe)}${mountsText(entry.mounts)}${entry.tier !== undefined ? `; tier ${entry.tier}` : ""}`;
    case "session-refused":
      return `session from ${entry.remote} to ${shown(entry.path)} refused: ${entry.reason}`;
    case "session-closed":
      if (entry.dropped)
        return `session #${entry.session} from ${entry.remote} lost its connection (code ${entry.code})`;
      return `session #${entry.session} from ${entry.remote} closed by ${entry.by === "local" ? "the relay" : "the peer"} (code ${entry.code}${entry.reason ? `: ${entry.reason}` : ""})`;
    case "session-revoked":
      return `session #${entry.session} from ${entry.remote} closed by its authorization (${entry.reason}): ${entry.message}`;
    case "auth-outage":
      return `session #${entry.session}: re-check failed, grant stands, retrying in ${(entry.retryMs / 1000).toFixed(1)} s: ${entry.message}`;
    case "announce":
      return `session #${entry.session} announced ${shown(entry.path)} (hops ${entry.hops.length}${entry.cost !== undefined ? `, cost ${entry.cost}` : ""})`;
    case "unannounce":
      return `session #${entry.session} ended ${shown(entry.path)}: ${entry.reason}`;
    case "loop-dropped":
      return `session #${entry.session} announced ${shown(entry.path)}, which already passed through this relay; ignored`;
    case "subscribe":
      return `session #${entry.session} subscribed to ${shown(entry.broadcast)} track "${entry.track}" (${entry.dedup === "hit" ? "shared upstream" : "new upstream"}, ${entry.subscribers} subscriber${entry.subscribers === 1 ? "" : "s"})`;
    case "unsubscribe":
      return `session #${entry.session} unsubscribed from ${shown(entry.broadcast)} track "${entry.track}"`;
    case "upstream-closed":
      return `upstream ${shown(entry.broadcast)} track "${entry.track}" closed: ${entry.reason}`;
    case "error":
      return `${entry.session !== undefined ? `session #${entry.session}: ` : ""}${entry.message}${entry.code !== undefined ? ` (code ${entry.code})` : ""}`;
  }
}

/** What a session may do, in a word or two: "publish and subscribe **", "subscribe live/**". */
function grantText(publish: readonly string[], subscribe: readonly string[]): string {
  const list = (patterns: readonly string[]) => patterns.map((p) => (p === "" ? '""' : p)).join(", ");
  if (publish.length === 0 && subscribe.length === 0) return "may do nothing";
  if (list(publish) === list(subscribe)) return `may publish and subscribe ${list(publish)}`;
  const parts = [];
  if (publish.length > 0) parts.push(`publish ${list(publish)}`);
  if (subscribe.length > 0) parts.push(`subscribe ${list(subscribe)}`);
  return `may ${parts.join("; ")}`;
}

/** "; mounts .svc → /.svc/pid", or nothing. */
function mountsText(mounts: Record<string, string> | undefined): string {
  const pairs = Object.entries(mounts ?? {});
  if (pairs.length === 0) return "";
  return `; mounts ${pairs.map(([at, target]) => `${at} → /${target}`).join(", ")}`;
}

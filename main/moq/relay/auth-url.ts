// moq-relay 0.17's --auth-url: an external auth server decides. Each session is one JSON POST
// at connect, one per re-check on the grant's cadence, and one when it ends; the relay's lease
// watcher (lease.ts) drives the re-checks and the end, this module only speaks to the server.

import { AUTH_UNAVAILABLE_CODE } from "../errors.ts";
import { AuthError } from "./auth-error.ts";
import { authTarget, postJson } from "./auth-url-http.ts";
import type { ServerGrant, ReplyVerdict } from "./auth-url-grant.ts";
import { readReply } from "./auth-url-grant.ts";
import { eventBody, sessionFields } from "./auth-url-request.ts";
import type { AuthEvent, SessionFields } from "./auth-url-request.ts";
import { rootOf } from "./grant.ts";
import type { Authorize, GrantInput, Lease } from "./grant.ts";

export { AuthUrlError } from "./auth-url-http.ts";

export interface AuthServerOptions {
  /** The relay's name, sent in every request (moq-relay's --stats-node); default "". */
  node?: string;
  /** How long one request may take before the server counts as unavailable; default 10 s. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * An Authorize that asks the auth server at `url`. Throws an AuthUrlError at once when the URL
 * is not one the relay may use (https://, unix://PATH, or http:// to a loopback host).
 */
export function authServer(url: string, options: AuthServerOptions = {}): Authorize {
  const target = authTarget(url);
  const node = options.node ?? "";
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  const ask = async (fields: SessionFields, event: AuthEvent): Promise<ReplyVerdict> => {
    try {
      return readReply(await postJson(target, eventBody(fields, event), timeoutMs), Date.now());
    } catch (err) {
      return { unavailable: err instanceof Error ? err.message : String(err) };
    }
  };

  return async (request) => {
    const fields = sessionFields(request, node);
    let dialed: string;
    try {
      dialed = rootOf(request.url);
    } catch (err) {
      return new AuthError(err instanceof Error ? err.message : String(err));
    }
    const first = await ask(fields, "connect");
    // Only a refusal is about the credentials; a server that could not decide closes with 502, as in moq-relay.
    if ("refused" in first) return new AuthError(`refused by the auth server: ${first.refused}`);
    if ("invalid" in first)
      return new AuthError(`auth server unavailable: its grant is invalid: ${first.invalid}`, AUTH_UNAVAILABLE_CODE);
    if ("unavailable" in first)
      return new AuthError(`auth server unavailable: ${first.unavailable}`, AUTH_UNAVAILABLE_CODE);

    const lease: Lease = {
      fields,
      async recheck() {
        const v = await ask(fields, "revalidate");
        if ("grant" in v) return { grant: grantInput(v.grant, dialed) };
        if ("refused" in v)
          return { revoked: "refused", message: `refused by the auth server on re-check: ${v.refused}` };
        if ("invalid" in v)
          return { revoked: "invalid", message: `the auth server answered an invalid grant on re-check: ${v.invalid}` };
        return { outage: `auth server unavailable: ${v.unavailable}` };
      },
      async end(info) {
        const reply = await postJson(target, eventBody(fields, "end", info), timeoutMs);
        if (reply.status < 200 || reply.status > 299)
          throw new Error(`the auth server answered ${reply.status} to the session's end event`);
      },
    };
    return { ...grantInput(first.grant, dialed), lease };
  };
}

/** The server's grant as the relay takes it: its root, else the dialed path. */
function grantInput(grant: ServerGrant, dialed: string): GrantInput {
  const out: GrantInput = { root: grant.root ?? dialed, publish: grant.publish, subscribe: grant.subscribe };
  if (grant.expires !== undefined) out.expires = grant.expires;
  if (grant.revalidate !== undefined) out.revalidate = grant.revalidate;
  if (grant.mounts !== undefined) out.mounts = grant.mounts;
  if (grant.tier !== undefined) out.tier = grant.tier;
  return out;
}

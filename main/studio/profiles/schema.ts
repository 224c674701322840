// What a saved profile may hold, checked with zod both when the file is read and when the UI
// saves one. Messages name the rule, never the value: a token must not leak through an error.

import { z } from "zod";

export const PROFILES_FORMAT = "moqscope-profiles";
export const PROFILES_VERSION = 1;
/** The built-in profile's id: reserved, never stored in the file. */
export const BUILT_IN_ID = "local-demo";

export const NAME_MAX = 80;
/** Generous for a JWT (they are usually well under 2 KiB); bounds what one profile can hold. */
export const TOKEN_MAX = 16 * 1024;
/** More profiles than a person manages by hand; bounds the file and the view. */
export const PROFILES_MAX = 1000;

const URL_SCHEMES = ["http:", "https:", "ws:", "wss:"];
// Version names as the library spells them ("moq-lite-04"); main/moq's public entries export the
// Version type only, so the shape is checked here and connect() refuses a version it lacks.
const PROTOCOL = /^moq-lite-0[1-9]$/;

/** A string field; a missing one says so rather than "must be text". */
function text() {
  return z.string({ error: (issue) => (issue.input === undefined ? "is missing" : "must be text") });
}

const name = text()
  .trim()
  .min(1, { error: `must not be empty` })
  .max(NAME_MAX, { error: `must be at most ${NAME_MAX} characters` });

const url = text()
  .trim()
  .superRefine((text, ctx) => {
    const problem = urlProblem(text);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

/** Why `text` is not a relay URL we can dial, or null when it is one. */
function urlProblem(text: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    return "is not a URL (expected e.g. https://relay.example.com/ or http://127.0.0.1:4443/)";
  }
  if (!URL_SCHEMES.includes(parsed.protocol)) {
    return `must start with http://, https://, ws:// or wss:// (not ${parsed.protocol}//)`;
  }
  if (parsed.hostname === "") return "has no host name";
  if (parsed.username !== "" || parsed.password !== "") {
    return "must not carry a user name or password (put a JWT in the token field)";
  }
  return null;
}

const transport = z.enum(["auto", "webtransport", "webtransport-h3", "webtransport-h2", "websocket"], {
  error: 'must be "auto", "webtransport", "webtransport-h3", "webtransport-h2" or "websocket"',
});

const protocol = text()
  .trim()
  .toLowerCase()
  .refine((p) => p === "auto" || PROTOCOL.test(p), { error: 'must be "auto" or a version such as "moq-lite-04"' });

/** On disk: exactly 64 hex digits. From the UI: colons and spaces (as browsers show it) are dropped. */
const sha256 = text()
  .regex(/^[0-9a-fA-F]{64}$/, { error: "must be a SHA-256 fingerprint: 64 hex digits" })
  .transform((s) => s.toLowerCase());

const sha256Typed = text()
  .transform((s) => s.replace(/[\s:]/g, ""))
  .pipe(sha256);

function trustSchema(fingerprint: z.ZodType<string, string>) {
  return z.discriminatedUnion(
    "kind",
    [
      z.object({ kind: z.literal("system") }),
      z.object({ kind: z.literal("fingerprint"), sha256: fingerprint }),
      z.object({ kind: z.literal("insecure") }),
    ],
    { error: 'must be { kind: "system" }, { kind: "fingerprint", sha256 } or { kind: "insecure" }' },
  );
}

const token = text()
  .trim()
  .min(1, { error: "must not be empty (clear it instead)" })
  .max(TOKEN_MAX, { error: `must be at most ${TOKEN_MAX} characters` })
  .regex(/^[\x21-\x7e]+$/, { error: "must be printable ASCII without spaces (a JWT is)" });

const id = text().regex(/^[A-Za-z0-9_-]{1,64}$/, { error: "must be 1–64 letters, digits, '-' or '_'" });

/** One profile as stored in the file. */
export const storedProfileSchema = z.object({
  id: id.refine((v) => v !== BUILT_IN_ID, { error: `"${BUILT_IN_ID}" is reserved for the built-in profile` }),
  name,
  url,
  transport,
  protocol,
  trust: trustSchema(sha256),
  token: token.nullable().default(null),
});
export type DiskProfile = z.output<typeof storedProfileSchema>;

/** The whole file. The version is checked before this (a newer file gets its own message). */
export const profilesFileSchema = z.object({
  format: z.literal(PROFILES_FORMAT),
  version: z.literal(PROFILES_VERSION),
  profiles: z
    .array(storedProfileSchema)
    .max(PROFILES_MAX, { error: `must hold at most ${PROFILES_MAX} profiles` })
    .superRefine((list, ctx) => {
      const seen = new Set<string>();
      list.forEach((p, i) => {
        if (seen.has(p.id))
          ctx.addIssue({ code: "custom", path: [i, "id"], message: "repeats an earlier profile's id" });
        seen.add(p.id);
      });
    }),
});

/** A profile as the UI sends it (main/ipc has checked its shape; this checks its content). */
export const profileInputSchema = z.object({
  id: id.optional(),
  name,
  url,
  transport,
  protocol,
  trust: trustSchema(sha256Typed),
  token: token.nullable().optional(),
});
export type CheckedProfileInput = z.output<typeof profileInputSchema>;

/** "profiles[2].url: is not a URL (…); name: must not be empty" — at most a few issues. */
export function describeIssues(error: z.ZodError, root = ""): string {
  const shown = error.issues.slice(0, 3).map((issue) => {
    const where = pathText(root, issue.path);
    return where === "" ? issue.message : `${where}: ${issue.message}`;
  });
  const more = error.issues.length - shown.length;
  return shown.join("; ") + (more > 0 ? ` (and ${more} more)` : "");
}

function pathText(root: string, path: readonly PropertyKey[]): string {
  let out = root;
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? String(part) : `.${String(part)}`;
  }
  return out;
}

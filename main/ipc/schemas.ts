// Every message from the UI is untrusted input (a buggy or compromised renderer, or any page that
// reached the `moqscope ui` socket can send anything). These zod schemas mirror contract.ts and
// guard both hosts: each ClientMessage, each request's arguments, each view's parameters.
// Strings, arrays and numbers are bounded; objects are strict (an unknown key, "__proto__"
// included, is refused) and parsing copies only known keys, so nothing unexpected reaches a
// handler. A channel or view missing here, or one too many, fails to compile (`satisfies`).

import * as z from "zod";
import type { ClientMessage, InvokeArgs, InvokeChannel, InvokeContract, ViewName, ViewParams } from "./contract.ts";

/** A request or view parameter from the UI that does not match the contract. */
export class IpcValidationError extends Error {
  override readonly name = "IpcValidationError";
}

// ---- bounds -----------------------------------------------------------------------------------

export const LIMITS = {
  /** Connection, profile ids and other identifiers. */
  id: 128,
  name: 200,
  url: 2048,
  /** A broadcast or track name (a path). */
  path: 1024,
  /** A track id names its broadcast and track, so it may be longer than either. */
  trackId: 2 * 1024 + 64,
  /** A JWT, which may carry many claims. */
  token: 8192,
  protocol: 64,
  fingerprint: 128,
  filePath: 4096,
  filterText: 256,
  filterTypes: 32,
  /** The message log's page: the newest rows up to this many. */
  messagesLimit: 2000,
  /** Group sequence numbers and frame indexes are varints on the wire: safe integers here. */
  targetBitrate: 100e9,
  /** Arguments any channel takes (all take at most one today). */
  args: 8,
  channelName: 64,
  /** One encoded camera frame (a keyframe at a few Mbit/s is well under this). */
  cameraFrameBytes: 512 * 1024,
  /** Publishing bitrates, bits/s. */
  publishBitrate: 100e6,
  videoSide: 8192,
} as const;

// ---- building blocks ---------------------------------------------------------------------------

/** A string of `min` to `max` characters. */
function text(max: number, min = 1) {
  const error = min === max ? `must be ${max} characters` : `must be ${min} to ${max} characters`;
  return z.string().min(min, { error }).max(max, { error });
}

/** An integer from `min` to `max` (a fraction, NaN or Infinity is refused). */
function integer(min: number, max = Number.MAX_SAFE_INTEGER) {
  const error = `must be an integer from ${min} to ${max}`;
  return z
    .int({ error: (issue) => (issue.input === undefined ? undefined : error) })
    .min(min, { error })
    .max(max, { error });
}

/** An array of at most `max` items; the length is checked before any item is looked at. */
function list<T extends z.ZodType>(item: T, max: number) {
  const error = `must have at most ${max} items`;
  return z
    .unknown()
    .refine((value) => !Array.isArray(value) || value.length <= max, { error, abort: true })
    .pipe(z.array(item));
}

const id = text(LIMITS.id);
const connectionId = id;
const path = text(LIMITS.path);
const trackId = text(LIMITS.trackId);
const url = text(LIMITS.url);

const transportChoice = z.enum(["auto", "webtransport", "webtransport-h3", "webtransport-h2", "websocket"]);
const protocol = text(LIMITS.protocol);
const trustChoice = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("system") }),
  z.strictObject({ kind: z.literal("fingerprint"), sha256: text(LIMITS.fingerprint) }),
  z.strictObject({ kind: z.literal("insecure") }),
]);

const connectionRef = z.strictObject({ connectionId });
const trackRef = z.strictObject({ connectionId, track: trackId });
const groupRef = z.strictObject({ connectionId, track: trackId, sequence: integer(0) });
const frameRef = z.strictObject({ connectionId, track: trackId, sequence: integer(0), index: integer(0) });

const profileInput = z.strictObject({
  id: id.optional(),
  name: text(LIMITS.name),
  url,
  transport: transportChoice,
  protocol,
  trust: trustChoice,
  token: text(LIMITS.token).nullable().optional(),
});

const openConnection = z.union([
  z.strictObject({ profileId: id }),
  z.strictObject({
    url,
    transport: transportChoice.optional(),
    protocol: protocol.optional(),
    trust: trustChoice.optional(),
    token: text(LIMITS.token).optional(),
  }),
]);

const messageFilter = z.strictObject({
  text: text(LIMITS.filterText, 0).optional(),
  types: list(text(LIMITS.channelName), LIMITS.filterTypes).optional(),
  direction: z.enum(["sent", "received", "local"]).optional(),
  broadcast: path.optional(),
  track: trackId.optional(),
  stream: integer(0).optional(),
});

// ---- requests ----------------------------------------------------------------------------------

/** One tuple schema per channel, checked against the contract's argument types. */
export const INVOKE_SCHEMAS = {
  "app:info": z.tuple([]),
  "profiles:save": z.tuple([profileInput]),
  "profiles:delete": z.tuple([z.strictObject({ id })]),
  "connection:open": z.tuple([openConnection]),
  "connection:connect": z.tuple([z.strictObject({ connectionId, url: url.optional() })]),
  "connection:disconnect": z.tuple([connectionRef]),
  "connection:close": z.tuple([connectionRef]),
  "track:subscribe": z.tuple([z.strictObject({ connectionId, broadcast: path, track: path })]),
  "track:unsubscribe": z.tuple([trackRef]),
  "group:frames": z.tuple([groupRef]),
  "frame:open": z.tuple([frameRef]),
  "probe:start": z.tuple([
    z.strictObject({
      connectionId,
      targetBitrate: z
        .number()
        .positive({ error: "must be a positive number of bits per second" })
        .max(LIMITS.targetBitrate, { error: `must be at most ${LIMITS.targetBitrate} bits per second` })
        .optional(),
    }),
  ]),
  "probe:stop": z.tuple([connectionRef]),
  "recording:start": z.tuple([connectionRef]),
  "recording:stop": z.tuple([connectionRef]),
  "recording:list": z.tuple([]),
  "recording:open": z.tuple([z.strictObject({ path: text(LIMITS.filePath) })]),
  "camera:allow": z.tuple([z.strictObject({ allowed: z.boolean() })]),
  "publish:start": z.tuple([
    z.strictObject({
      connectionId,
      kind: z.enum(["clock", "test-video"]),
      broadcast: path,
      bitrate: integer(10_000, LIMITS.publishBitrate).optional(),
    }),
  ]),
  "publish:camera": z.tuple([
    z.strictObject({
      connectionId,
      broadcast: path,
      codec: z.string().regex(/^(avc1|avc3|vp8|vp09|av01)[A-Za-z0-9.]*$/, {
        error: "must be a WebCodecs codec string for H.264, VP8, VP9 or AV1",
      }),
      width: integer(16, LIMITS.videoSide),
      height: integer(16, LIMITS.videoSide),
      framerate: z.number().min(1).max(240),
      bitrate: integer(10_000, LIMITS.publishBitrate),
    }),
  ]),
  "publish:frame": z.tuple([
    z.strictObject({
      connectionId,
      publicationId: id,
      keyframe: z.boolean(),
      timestampUs: integer(0),
      data: z
        .string()
        .max(Math.ceil(LIMITS.cameraFrameBytes / 3) * 4, {
          error: `must be at most ${LIMITS.cameraFrameBytes / 1024} KiB of base64: lower the bitrate`,
        })
        .regex(/^[A-Za-z0-9+/]*={0,2}$/, { error: "must be base64" }),
    }),
  ]),
  "publish:stop": z.tuple([z.strictObject({ connectionId, publicationId: id })]),
} satisfies { [C in InvokeChannel]: z.ZodType<InvokeArgs<C>> };

/** How errors name each channel's arguments (the contract's labels). */
type ArgNames<A extends unknown[]> = { [I in keyof A]: string };
const ARG_NAMES: { [C in InvokeChannel]: ArgNames<InvokeArgs<C>> } = {
  "app:info": [],
  "profiles:save": ["profile"],
  "profiles:delete": ["request"],
  "connection:open": ["request"],
  "connection:connect": ["request"],
  "connection:disconnect": ["request"],
  "connection:close": ["request"],
  "track:subscribe": ["request"],
  "track:unsubscribe": ["request"],
  "group:frames": ["request"],
  "frame:open": ["request"],
  "probe:start": ["request"],
  "probe:stop": ["request"],
  "recording:start": ["request"],
  "recording:stop": ["request"],
  "recording:list": [],
  "recording:open": ["request"],
  "camera:allow": ["request"],
  "publish:start": ["request"],
  "publish:camera": ["request"],
  "publish:frame": ["frame"],
  "publish:stop": ["request"],
};

// ---- views -------------------------------------------------------------------------------------

const noParams = z.strictObject({});
const ofConnection = z.strictObject({ connectionId });

/** One parameter schema per view, checked against the contract's parameter types. */
export const VIEW_SCHEMAS = {
  connections: noParams,
  profiles: noParams,
  tree: ofConnection,
  tracks: ofConnection,
  timeline: ofConnection,
  stats: ofConnection,
  messages: z.strictObject({
    connectionId,
    filter: messageFilter.optional(),
    limit: integer(1, LIMITS.messagesLimit).optional(),
  }),
  findings: ofConnection,
  broadcast: z.strictObject({ connectionId, broadcast: path }),
  publications: ofConnection,
} satisfies { [V in ViewName]: z.ZodType<ViewParams<V>> };

// ---- the wire ----------------------------------------------------------------------------------

const requestId = integer(0);
const watchId = integer(0);

export const CLIENT_MESSAGE_SCHEMA = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("invoke"),
    id: requestId,
    channel: text(LIMITS.channelName),
    args: list(z.unknown(), LIMITS.args),
  }),
  z.strictObject({ type: z.literal("watch"), watchId, view: text(LIMITS.channelName), params: z.unknown() }),
  z.strictObject({ type: z.literal("unwatch"), watchId }),
  z.strictObject({ type: z.literal("ack"), watchId, seq: integer(0) }),
]) satisfies z.ZodType<ClientMessage>;

// ---- entry points ------------------------------------------------------------------------------

/** A request that passed validation, its channel and arguments correlated. */
export type ValidInvoke = { [C in InvokeChannel]: { channel: C; args: InvokeArgs<C> } }[InvokeChannel];

/** A watch that passed validation, its view and parameters correlated. */
export type ValidWatch = { [V in ViewName]: { view: V; params: ViewParams<V> } }[ViewName];

/** Checks one message as received from the UI. Throws IpcValidationError naming the field. */
export function parseClientMessage(raw: unknown): ClientMessage {
  return parseWith(CLIENT_MESSAGE_SCHEMA, raw, (p) => describePath("message", p));
}

/** Checks a request's channel and arguments. Throws IpcValidationError naming the field. */
export function parseInvoke(channel: string, args: unknown): ValidInvoke {
  if (!isOwnKey(INVOKE_SCHEMAS, channel)) {
    throw new IpcValidationError(`${quote(channel)} is not a request channel of moqscope`);
  }
  const names = ARG_NAMES[channel] as readonly string[];
  if (!Array.isArray(args)) throw new IpcValidationError(`${channel}: arguments must be an array`);
  if (args.length !== names.length) {
    const expected = names.length === 1 ? "1 argument" : `${names.length} arguments`;
    throw new IpcValidationError(`${channel}: expects ${expected} (got ${args.length})`);
  }
  const schema: z.ZodType = INVOKE_SCHEMAS[channel];
  const parsed = parseWith(schema, args, ([index, ...rest]) =>
    describePath(`${channel} ${names[index as number] ?? `argument ${String(index)}`}`, rest),
  );
  return { channel, args: parsed } as ValidInvoke;
}

/** Checks a view's name and parameters. Throws IpcValidationError naming the field. */
export function parseWatch(view: string, params: unknown): ValidWatch {
  if (!isOwnKey(VIEW_SCHEMAS, view)) throw new IpcValidationError(`${quote(view)} is not a view of moqscope`);
  const schema: z.ZodType = VIEW_SCHEMAS[view];
  const parsed = parseWith(schema, params, (p) => describePath(`${view} params`, p));
  return { view, params: parsed } as ValidWatch;
}

/** Whether the name is a channel of the contract (own key: "toString" or "__proto__" are not). */
export function isInvokeChannel(name: string): name is keyof InvokeContract {
  return isOwnKey(INVOKE_SCHEMAS, name);
}

// ---- messages a person can act on -----------------------------------------------------------

function parseWith<T>(schema: z.ZodType<T>, value: unknown, where: (path: PropertyKey[]) => string): T {
  const result = schema.safeParse(value, { error: defaultMessage });
  if (result.success) return result.data;
  const issue = primaryIssue(result.error.issues);
  throw new IpcValidationError(`${where(issue.path)}: ${issue.message}`);
}

/** For a union no branch matched: the branch that came closest (fewest problems) speaks. */
function primaryIssue(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue {
  const first = issues[0]!;
  if (first.code !== "invalid_union" || first.errors.length === 0) return first;
  const branches = [...first.errors].sort((a, b) => rank(a) - rank(b));
  const best = branches[0]!;
  if (branches.length > 1 && rank(best) === rank(branches[1]!)) {
    return { ...first, message: "does not match any accepted form" };
  }
  const inner = primaryIssue(best);
  return { ...inner, path: [...first.path, ...inner.path] };
}

/** Fewer and deeper problems mean a closer match. */
function rank(issues: readonly z.core.$ZodIssue[]): number {
  return issues.reduce((sum, issue) => sum + (issue.path.length === 0 ? 2 : 1), 0);
}

function defaultMessage(issue: z.core.$ZodRawIssue): string {
  switch (issue.code) {
    case "invalid_type":
      if (issue.input === undefined) return "is required";
      return `must be ${withArticle(String(issue.expected))} (got ${kindOf(issue.input)})`;
    case "unrecognized_keys": {
      const keys = (issue.keys as string[]).slice(0, 3).map(quote).join(", ");
      return `has unknown field${issue.keys.length > 1 ? "s" : ""} ${keys}${issue.keys.length > 3 ? ", …" : ""}`;
    }
    case "invalid_value": {
      const values = issue.values as unknown[];
      return `must be ${values.length === 1 ? "" : "one of "}${values.map((v) => JSON.stringify(v)).join(", ")}`;
    }
    case "invalid_union":
      if (issue.discriminator !== undefined) {
        const options = ((issue.options as unknown[] | undefined) ?? []).map((v) => JSON.stringify(v)).join(", ");
        return `must be one of ${options}`;
      }
      return "does not match any accepted form";
    case "too_small":
      return issue.origin === "array"
        ? `must have at least ${issue.minimum} items`
        : `must be at least ${issue.minimum}`;
    case "too_big":
      return issue.origin === "array" ? `must have at most ${issue.maximum} items` : `must be at most ${issue.maximum}`;
    default:
      return "is not valid";
  }
}

function describePath(prefix: string, path: readonly PropertyKey[]): string {
  let out = prefix;
  for (const part of path) {
    out += typeof part === "number" ? `[${part}]` : `.${truncate(String(part))}`;
  }
  return out;
}

function withArticle(expected: string): string {
  const word = expected === "int" ? "integer" : expected;
  return /^[aeiou]/.test(word) ? `an ${word}` : `a ${word}`;
}

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  return typeof value;
}

function isOwnKey<O extends object>(object: O, key: string): key is Extract<keyof O, string> {
  return Object.hasOwn(object, key);
}

// Names echoed back come from the untrusted side; keep them short.
function truncate(value: string): string {
  return value.length > 64 ? `${value.slice(0, 64)}…` : value;
}

function quote(value: string): string {
  return JSON.stringify(truncate(value));
}

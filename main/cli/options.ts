// Argument parsing shared by every command: node:util parseArgs with the common options added,
// number validation that names the flag, and the common options turned into connect options.

import { parseArgs } from "node:util";
import type { ParseArgsConfig } from "node:util";
import { DEFAULT_LIMITS, normalizeFingerprint, parseRelayUrl } from "../moq/node.ts";
import type { ConnectOptions, TransportChoice } from "../moq/node.ts";
import { protocolOffer } from "../studio/connections/target.ts";
import { UsageError } from "./errors.ts";
import type { OutputOptions } from "./output.ts";

type OptionsConfig = NonNullable<ParseArgsConfig["options"]>;

export const COMMON_OPTIONS = {
  protocol: { type: "string" },
  // The old name of --protocol after a command (before one, --version is the program's): still
  // read, with a notice, so existing scripts keep working.
  version: { type: "string" },
  transport: { type: "string" },
  fingerprint: { type: "string" },
  insecure: { type: "boolean" },
  json: { type: "boolean" },
  quiet: { type: "boolean", short: "q" },
  help: { type: "boolean", short: "h" },
} as const satisfies OptionsConfig;

const PROTOCOL_CHOICES = ["auto", "moq-lite-06", "moq-lite-05", "moq-lite-04", "moq-lite-03", "legacy"] as const;
const TRANSPORT_CHOICES = ["auto", "webtransport", "webtransport-h3", "webtransport-h2", "websocket"] as const;

export interface CommonOptions extends OutputOptions {
  protocol: (typeof PROTOCOL_CHOICES)[number];
  transport: TransportChoice;
  fingerprint?: string;
  insecure: boolean;
}

/** Parse a command's arguments; throws UsageError with a message naming the bad flag. */
export function parseCommand<O extends OptionsConfig>(command: string, argv: string[], options: O) {
  const config = {
    args: argv,
    options: { ...COMMON_OPTIONS, ...options },
    allowPositionals: true,
    strict: true,
  } as const;
  try {
    return parseArgs(config);
  } catch (err) {
    throw new UsageError(parseErrorMessage(err, command), command);
  }
}

/** node's messages are long and mention "positional argument" advice; keep the fact. */
function parseErrorMessage(err: unknown, command: string): string {
  const e = err as { code?: string; message?: string };
  const message = e.message ?? String(err);
  const flag = /'(-[^']*?)(?: <value>)?'/.exec(message)?.[1];
  switch (e.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return `unknown option ${flag ?? message} for "moqscope ${command}"`;
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      if (flag === "--version" && /argument missing/i.test(message)) {
        return "--version after a command takes a protocol, and is deprecated: use --protocol P; for the program's version run moqscope --version";
      }
      if (/argument missing/i.test(message)) return `${flag ?? "an option"} needs a value`;
      if (/ambiguous/i.test(message))
        return `${flag ?? "an option"} needs a value (write ${flag ?? "--flag"}=VALUE for values starting with "-")`;
      if (/does not take an argument/i.test(message)) return `${flag ?? "an option"} does not take a value`;
      return message.split(". ")[0] ?? message;
    default:
      return message.split(". ")[0] ?? message;
  }
}

/** Exactly these positional arguments, by name, or a usage error listing what is missing. */
export function expectPositionals(command: string, positionals: string[], names: readonly string[]): string[] {
  if (positionals.length < names.length) {
    const missing = names.slice(positionals.length).join(" ");
    throw new UsageError(`missing ${missing}`, command);
  }
  if (positionals.length > names.length) {
    throw new UsageError(`unexpected argument ${JSON.stringify(positionals[names.length])}`, command);
  }
  return positionals;
}

/** The relay URL argument, checked before anything connects: a bad one is a usage error. */
export function relayUrlArg(command: string, raw: string): string {
  try {
    parseRelayUrl(raw);
  } catch (err) {
    throw new UsageError((err as Error).message, command);
  }
  return raw;
}

const printNotice = (message: string) => void process.stderr.write(`moqscope: ${message}\n`);

/** The common options, validated; `notice` tells about deprecated spellings (stderr by default). */
export function commonOptions(
  command: string,
  values: Record<string, unknown>,
  notice: (message: string) => void = printNotice,
): CommonOptions {
  if (values.version !== undefined && values.protocol !== undefined) {
    throw new UsageError("--version is the old name of --protocol: give the protocol once, as --protocol", command);
  }
  const raw = values.protocol ?? values.version;
  const protocol = choice(command, "--protocol", raw, PROTOCOL_CHOICES, "auto");
  if (values.version !== undefined) {
    notice(
      `--version after a command is deprecated: use --protocol ${String(raw).trim()} (moqscope --version prints the program's version)`,
    );
  }
  const transport = choice(command, "--transport", values.transport, TRANSPORT_CHOICES, "auto");
  let fingerprint: string | undefined;
  if (typeof values.fingerprint === "string") {
    try {
      fingerprint = normalizeFingerprint(values.fingerprint);
    } catch (err) {
      throw new UsageError(`--fingerprint: ${(err as Error).message}`, command);
    }
  }
  const insecure = values.insecure === true;
  if (fingerprint && insecure) throw new UsageError("use either --fingerprint or --insecure, not both", command);
  return { protocol, transport, fingerprint, insecure, json: values.json === true, quiet: values.quiet === true };
}

/** What `connect()` needs from the common options. */
export function connectOptions(common: CommonOptions): ConnectOptions {
  return {
    ...protocolOffer(common.protocol),
    transport: common.transport,
    ...(common.fingerprint ? { fingerprint: common.fingerprint } : {}),
    ...(common.insecure ? { insecure: true } : {}),
  };
}

function choice<T extends string>(command: string, flag: string, raw: unknown, allowed: readonly T[], fallback: T): T {
  if (raw === undefined) return fallback;
  const value = String(raw).trim().toLowerCase();
  // Short forms people type: "04" / "4" for moq-lite-04.
  const expanded = /^0?[345]$/.test(value) ? `moq-lite-0${value.slice(-1)}` : value;
  if ((allowed as readonly string[]).includes(expanded)) return expanded as T;
  throw new UsageError(`${flag} must be one of ${allowed.join(", ")} (got ${JSON.stringify(String(raw))})`, command);
}

// ---- numbers ----------------------------------------------------------------------------------

/** A positive integer (1, 2, …) up to `max`; the message names the flag. */
export function positiveInt(
  command: string,
  flag: string,
  raw: string | undefined,
  fallback: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (raw === undefined) return fallback;
  const text = raw.trim();
  if (!/^\d+$/.test(text) || Number(text) < 1) {
    throw new UsageError(`${flag} must be a positive integer (got ${JSON.stringify(raw)})`, command);
  }
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n > max) throw new UsageError(`${flag} must be at most ${max} (got ${raw})`, command);
  return n;
}

/** An integer within [min, max]. */
export function intInRange(
  command: string,
  flag: string,
  raw: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (raw === undefined) return fallback;
  const text = raw.trim();
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max) {
    throw new UsageError(`${flag} must be an integer from ${min} to ${max} (got ${JSON.stringify(raw)})`, command);
  }
  return n;
}

/** A positive number, fractions allowed (seconds, frames per second). */
export function positiveNumber(command: string, flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const text = raw.trim();
  const n = Number(text);
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(text) || !(n > 0) || !Number.isFinite(n)) {
    throw new UsageError(`${flag} must be a positive number (got ${JSON.stringify(raw)})`, command);
  }
  return n;
}

const BITRATE_SUFFIX: Record<string, number> = { "": 1, k: 1e3, m: 1e6, g: 1e9 };

/** Bits per second, "2500000", "2.5M", "800k", "1G" (an optional "bps"/"bit/s" is ignored). */
export function parseBitrate(command: string, flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const m = /^(\d+(?:\.\d+)?)\s*([kKmMgG]?)(?:bps|bit\/s|b\/s|b)?$/.exec(raw.trim());
  const value = m ? Number(m[1]) * (BITRATE_SUFFIX[(m[2] ?? "").toLowerCase()] ?? 1) : NaN;
  if (!m || !(value >= 1) || !Number.isSafeInteger(Math.round(value))) {
    throw new UsageError(
      `${flag} must be a positive bitrate in bits/s, such as 2500000, 2.5M or 800k (got ${JSON.stringify(raw)})`,
      command,
    );
  }
  return Math.round(value);
}

/** The largest frame a peer accepts by default: bigger --frame-bytes values would be refused. */
export const MAX_FRAME_BYTES = DEFAULT_LIMITS.maxFrameBytes;

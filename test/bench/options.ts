// Command-line options of the throughput benchmark.

import type { BenchVersion, Impl, TransportName } from "./protocol.ts";

export interface BenchOptions {
  transports: TransportName[];
  /** moq-lite versions to measure (each pair of ours runs once per version). */
  versions: BenchVersion[];
  frameSizes: number[];
  /** Payload MB (10^6 bytes) per measurement; undefined = per frame size (see defaultMbytes). */
  mbytes: number | undefined;
  publishers: Exclude<Impl, "raw">[];
  subscribers: Exclude<Impl, "raw">[];
  /** Explicit publisher/subscriber pairs; when set, replaces publishers × subscribers. */
  pairs: [Exclude<Impl, "raw">, Exclude<Impl, "raw">][] | undefined;
  raw: boolean;
  groupFrames: number;
  /** How many bytes of groups the publisher may be ahead of the subscriber... */
  windowBytes: number;
  /** ...but never more than this many groups. */
  maxWindowGroups: number;
  repeat: number;
  timeoutMs: number;
  /** Directory for --cpu-prof output of both children, or undefined. */
  profileDir: string | undefined;
  /** Write all results as JSON here. */
  jsonPath: string | undefined;
  /** Extra Node flags for both children, e.g. --trace-gc or --max-semi-space-size=64. */
  nodeArgs: string[];
}

export const USAGE = `Usage: npm run bench -- [options]

Moves frames publisher -> subscriber over loopback, each side in its own process, and prints
throughput and CPU per byte. Options (lists are comma-separated):
  --transport websocket|webtransport|webtransport-h3|all
                                           default websocket,webtransport; webtransport
                                           is over HTTP/2, webtransport-h3 over QUIC
  --frame-bytes 1024,65536                 frame sizes, default 1024,65536
  --protocol 04,05,06                      moq-lite versions, default 04 (05 and 06 add a
                                           timestamp to every frame and a TRACK exchange, 06 a
                                           first-frame index per group; ours-ours only)
  --mbytes N                               payload MB (10^6 B) per run; default 100 for frames
                                           under 16 KiB, 500 otherwise (a few seconds each)
  --publisher ours|lite|net|all            default ours and lite (net: @moq/net 0.3.4)
  --subscriber ours|lite|net|all           default ours and lite
  --pairs ours-ours,net-net                exact publisher-subscriber pairs instead of the
                                           publisher × subscriber product
  --no-raw                                 skip the raw transport baseline
  --group-frames N                         frames per group, default 64
  --window-mbytes N                        publisher may be this many MiB ahead of what the
                                           subscriber finished (whole groups, at least 2), default 8
  --max-window-groups N                    ... but at most N groups, default 32
  --repeat N                               run every measurement N times, default 1
  --timeout-s N                            give up on one run after N s, default 120
  --profile DIR                            write V8 CPU profiles of both sides into DIR
  --json FILE                              also write the results as JSON
  --node-args "FLAGS"                      extra Node flags for both sides (e.g. "--trace-gc")
`;

/** Default payload per run: a few seconds on a small machine; shorter runs are mostly noise. */
export function defaultMbytes(frameBytes: number): number {
  return frameBytes < 16 * 1024 ? 100 : 500;
}

function list(value: string): string[] {
  return value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

function positiveInt(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} wants a positive integer, got "${value}"`);
  return n;
}

function positive(name: string, value: string): number {
  const n = Number(value);
  if (!(n > 0) || !Number.isFinite(n)) throw new Error(`${name} wants a positive number, got "${value}"`);
  return n;
}

function choice<T extends string>(name: string, value: string, allowed: readonly T[]): T[] {
  if (value === "all") return [...allowed];
  const picked = list(value);
  for (const p of picked) {
    if (!allowed.includes(p as T)) throw new Error(`${name}: "${p}" is not one of ${allowed.join(", ")}, all`);
  }
  return picked as T[];
}

/** Parse argv (without node and script). Throws with a readable message on bad input. */
export function parseOptions(argv: string[]): BenchOptions | "help" {
  const o: BenchOptions = {
    transports: ["websocket", "webtransport"],
    versions: ["moq-lite-04"],
    frameSizes: [1024, 65536],
    mbytes: undefined,
    publishers: ["ours", "lite"],
    subscribers: ["ours", "lite"],
    pairs: undefined,
    raw: true,
    groupFrames: 64,
    windowBytes: 8 * 1024 * 1024,
    maxWindowGroups: 32,
    repeat: 1,
    timeoutMs: 120_000,
    profileDir: undefined,
    jsonPath: undefined,
    nodeArgs: [],
  };
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i]!;
    let value: string | undefined;
    const eq = arg.indexOf("=");
    if (arg.startsWith("--") && eq > 0) {
      value = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    const next = () => {
      if (value !== undefined) return value;
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    switch (arg) {
      case "-h":
      case "--help":
        return "help";
      case "--transport":
        o.transports = choice(arg, next(), ["websocket", "webtransport", "webtransport-h3"] as const);
        break;
      case "--protocol":
        o.versions = list(next()).map((v) => {
          const full = /^0?[456]$/.test(v) ? `moq-lite-0${v.slice(-1)}` : v;
          if (full !== "moq-lite-04" && full !== "moq-lite-05" && full !== "moq-lite-06")
            throw new Error(`--protocol: "${v}" is not 04, 05 or 06`);
          return full;
        });
        break;
      case "--frame-bytes":
        o.frameSizes = list(next()).map((v) => positiveInt(arg, v));
        break;
      case "--mbytes":
        o.mbytes = positive(arg, next());
        break;
      case "--publisher":
        o.publishers = choice(arg, next(), ["ours", "lite", "net"] as const);
        break;
      case "--subscriber":
        o.subscribers = choice(arg, next(), ["ours", "lite", "net"] as const);
        break;
      case "--pairs":
        o.pairs = list(next()).map((pair) => {
          const [p, s, extra] = pair.split("-");
          const ok = (v: string | undefined): v is "ours" | "lite" | "net" =>
            v === "ours" || v === "lite" || v === "net";
          if (!ok(p) || !ok(s) || extra !== undefined)
            throw new Error(`--pairs: "${pair}" is not PUBLISHER-SUBSCRIBER with each ours, lite or net`);
          return [p, s];
        });
        break;
      case "--no-raw":
        o.raw = false;
        break;
      case "--group-frames":
        o.groupFrames = positiveInt(arg, next());
        break;
      case "--window-mbytes":
        o.windowBytes = positive(arg, next()) * 1024 * 1024;
        break;
      case "--max-window-groups":
        o.maxWindowGroups = positiveInt(arg, next());
        break;
      case "--repeat":
        o.repeat = positiveInt(arg, next());
        break;
      case "--timeout-s":
        o.timeoutMs = positive(arg, next()) * 1000;
        break;
      case "--profile":
        o.profileDir = next();
        break;
      case "--json":
        o.jsonPath = next();
        break;
      case "--node-args":
        o.nodeArgs = next()
          .split(/\s+/)
          .filter((a) => a !== "");
        break;
      default:
        throw new Error(`unknown option "${arg}" (see --help)`);
    }
  }
  return o;
}

import { decodeBody, type BytesReader } from "../../coding/bytes-reader.ts";
import { DEFAULT_LIMITS, type Limits } from "../../coding/limits.ts";
import { encodeMessage, Writer } from "../../coding/writer.ts";
import { decodeUntil, encodeUntil, readCount, writeUint } from "./fields.ts";
import type { Version } from "./version.ts";

// The 01/02 compat handshake (spec §4.3): IETF draft-14 CLIENT_SETUP / SERVER_SETUP on a bidi
// stream of type 0x20, with a 16-bit big-endian length. The version is not known yet when these
// are written or read, so they take no Version. Afterwards the same stream carries
// SESSION_UPDATE (§13.2).

/** Even keys carry a varint value, odd keys a length-prefixed byte string. */
export interface SetupParam {
  readonly key: number;
  readonly value: number | Uint8Array;
}

/** Parameters deployed peers send; moq-lite itself ignores them. */
export const SetupParamKey = {
  MaxRequestId: 0x2,
  Implementation: 0x7,
} as const;

export interface ClientSetup {
  /** Version codes in the client's order of preference (e.g. 0xff0dad02, 0xff0dad01). */
  readonly versions: readonly number[];
  readonly params: readonly SetupParam[];
}

export interface ServerSetup {
  readonly version: number;
  readonly params: readonly SetupParam[];
}

/** 01/02: the session's estimated bitrate, sent on the SETUP stream after the handshake. */
export interface SessionUpdate {
  /** Bits per second; 0 = unknown. */
  readonly bitrate: number;
}

const MAX_SETUP_BODY = 0xffff;

function writeParams(w: Writer, params: readonly SetupParam[]): void {
  w.varint(params.length);
  for (const p of params) {
    writeUint(w, p.key, "setup parameter key");
    const even = p.key % 2 === 0;
    if (even) {
      if (typeof p.value !== "number")
        throw new RangeError(`setup parameter ${p.key} has an even key and needs a number value`);
      writeUint(w, p.value, `setup parameter ${p.key}`);
    } else {
      if (!(p.value instanceof Uint8Array))
        throw new RangeError(`setup parameter ${p.key} has an odd key and needs a byte value`);
      w.bytes(p.value);
    }
  }
}

function readParams(r: BytesReader, limits: Limits): SetupParam[] {
  // Each parameter takes at least two bytes (key and a value or a length).
  const n = readCount(r, "setup parameter count", limits.maxSetupEntries, 2);
  const params: SetupParam[] = [];
  for (let i = 0; i < n; i++) {
    const key = r.varint("setup parameter key");
    // Copy: the body is a view into a stream buffer and parameters may be kept around.
    const value = key % 2 === 0 ? r.varint(`setup parameter ${key}`) : r.bytes(`setup parameter ${key}`).slice();
    params.push({ key, value });
  }
  return params;
}

/** `Length (16)` + body, without the 0x20 stream type. */
function withU16Length(fill: (w: Writer) => void, what: string): Uint8Array {
  const body = new Writer();
  fill(body);
  const bytes = body.finish();
  if (bytes.length > MAX_SETUP_BODY)
    throw new RangeError(`${what} is ${bytes.length} bytes, more than a 16-bit length allows`);
  return new Writer(bytes.length + 2).u16(bytes.length).raw(bytes).finish();
}

export function encodeClientSetup(msg: ClientSetup): Uint8Array {
  return withU16Length((w) => {
    w.varint(msg.versions.length);
    for (const v of msg.versions) writeUint(w, v, "setup version");
    writeParams(w, msg.params);
  }, "CLIENT_SETUP");
}

/** The body after the 16-bit length. */
export function decodeClientSetup(body: Uint8Array, limits: Limits = DEFAULT_LIMITS): ClientSetup {
  return decodeBody(body, "CLIENT_SETUP", (r) => {
    const n = readCount(r, "setup version count", limits.maxSetupEntries);
    const versions: number[] = [];
    for (let i = 0; i < n; i++) versions.push(r.varint("setup version"));
    const params = readParams(r, limits);
    return { versions, params };
  });
}

/** `Length (16)` + body, without the 0x21 type. */
export function encodeServerSetup(msg: ServerSetup): Uint8Array {
  return withU16Length((w) => {
    writeUint(w, msg.version, "setup version");
    writeParams(w, msg.params);
  }, "SERVER_SETUP");
}

export function decodeServerSetup(body: Uint8Array, limits: Limits = DEFAULT_LIMITS): ServerSetup {
  return decodeBody(body, "SERVER_SETUP", (r) => {
    const version = r.varint("setup version");
    const params = readParams(r, limits);
    return { version, params };
  });
}

export function encodeSessionUpdate(msg: SessionUpdate, version: Version): Uint8Array {
  encodeUntil(version, "moq-lite-02", "SESSION_UPDATE");
  return encodeMessage((w) => writeUint(w, msg.bitrate, "session bitrate"));
}

export function decodeSessionUpdate(
  body: Uint8Array,
  version: Version,
  _limits: Limits = DEFAULT_LIMITS,
): SessionUpdate {
  decodeUntil(version, "moq-lite-02", "SESSION_UPDATE");
  return decodeBody(body, "SESSION_UPDATE", (r) => ({ bitrate: r.varint("session bitrate") }));
}

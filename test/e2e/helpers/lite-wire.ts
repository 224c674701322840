// A small, independent reader of the moq-lite-05/06 bytes a browser receives (spec
// /work/shared/spec/moq-lite.md §14, /work/notes/lite06-wire.md), written apart from
// main/moq/lite so the end-to-end test checks the relay against the spec, not against itself.
// Every read is bounded by the bytes at hand: running out throws Incomplete (read more and try
// again), anything malformed throws Error.

export class Incomplete extends Error {}

export class WireReader {
  #pos = 0;
  constructor(private readonly buf: Uint8Array) {}

  get pos(): number {
    return this.#pos;
  }

  get remaining(): number {
    return this.buf.length - this.#pos;
  }

  /** A QUIC varint (2-bit length prefix), as a bigint so 62-bit values survive. */
  varintBig(): bigint {
    if (this.remaining < 1) throw new Incomplete("varint");
    const first = this.buf[this.#pos]!;
    const len = 1 << (first >> 6);
    if (this.remaining < len) throw new Incomplete("varint");
    let v = BigInt(first & 0x3f);
    for (let i = 1; i < len; i++) v = (v << 8n) | BigInt(this.buf[this.#pos + i]!);
    this.#pos += len;
    return v;
  }

  varint(): number {
    const v = this.varintBig();
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`varint ${v} is too large here`);
    return Number(v);
  }

  bytes(n: number): Uint8Array {
    if (this.remaining < n) throw new Incomplete("bytes");
    const out = this.buf.subarray(this.#pos, this.#pos + n);
    this.#pos += n;
    return out;
  }

  /** A varint length and that many bytes, as one message body with its own reader. */
  message(what: string): WireReader {
    const len = this.varint();
    if (len > 64 * 1024) throw new Error(`${what}: length ${len} is beyond any message this test expects`);
    return new WireReader(this.bytes(len));
  }

  string(): string {
    return new TextDecoder("utf-8", { fatal: true }).decode(this.bytes(this.varint()));
  }

  /** A message body must be used up exactly (the spec's `Long` error otherwise). */
  end(what: string): void {
    if (this.remaining !== 0) throw new Error(`${what}: ${this.remaining} bytes left inside its length`);
  }
}

export const hex = (bytes: Uint8Array | readonly number[]): string =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ");

export interface SetupMessage {
  /** Parameter id → value bytes. */
  params: Map<number, Uint8Array>;
}

/** A whole SETUP uni stream (to its FIN): type 0x1, one SETUP, nothing after. */
export function parseSetupStream(bytes: Uint8Array): SetupMessage {
  const r = new WireReader(bytes);
  const type = r.varint();
  if (type !== 0x1) throw new Error(`stream type ${type}, not SETUP (0x1)`);
  const body = r.message("SETUP");
  const count = body.varint();
  if (count > 64) throw new Error(`SETUP with ${count} parameters`);
  const params = new Map<number, Uint8Array>();
  for (let i = 0; i < count; i++) {
    const id = body.varint();
    if (params.has(id)) throw new Error(`SETUP parameter ${id} twice`);
    params.set(id, body.bytes(body.varint()));
  }
  body.end("SETUP");
  r.end("SETUP stream");
  return { params };
}

/** A SETUP parameter whose value is one varint (Probe, Role, Cost, Hop). */
export function varintValue(value: Uint8Array): bigint {
  const r = new WireReader(value);
  const v = r.varintBig();
  r.end("SETUP parameter value");
  return v;
}

export type Announce06 =
  | { kind: "start"; id: number; suffix: string; hops: bigint[]; warm: bigint; cold: bigint }
  | { kind: "end"; id: number }
  | { kind: "restart"; id: number; hops: bigint[]; warm: bigint; cold: bigint }
  | { kind: "unknown"; type: number };

export interface AnnounceReply06 {
  origin: bigint;
  active: number;
  messages: Announce06[];
}

function hops(r: WireReader): bigint[] {
  const n = r.varint();
  if (n > 32) throw new Error(`hop chain of ${n}`);
  return Array.from({ length: n }, () => r.varintBig());
}

/**
 * What the publisher side of a 06 announce stream has sent so far: ANNOUNCE_OK, then typed
 * messages. STARTs take ids 0, 1, … in order. A message cut off at the end of `bytes` is left
 * for the next call; ANNOUNCE_OK itself missing throws Incomplete.
 */
export function parseAnnounceReply06(bytes: Uint8Array): AnnounceReply06 {
  const r = new WireReader(bytes);
  const ok = r.message("ANNOUNCE_OK");
  const origin = ok.varintBig();
  const active = ok.varint();
  ok.end("ANNOUNCE_OK");
  const messages: Announce06[] = [];
  let nextId = 0;
  for (;;) {
    let type: number;
    let body: WireReader;
    try {
      type = r.varint();
      body = r.message(`announce type ${type}`);
    } catch (err) {
      if (err instanceof Incomplete) return { origin, active, messages };
      throw err;
    }
    // The whole body is at hand, so running short inside it is a malformed message.
    try {
      messages.push(announce06(type, body, () => nextId++));
    } catch (err) {
      throw err instanceof Incomplete ? new Error(`announce type ${type} is shorter than its fields`) : err;
    }
  }
}

function announce06(type: number, body: WireReader, takeId: () => number): Announce06 {
  let message: Announce06;
  if (type === 0) {
    message = {
      kind: "start",
      suffix: body.string(),
      hops: hops(body),
      warm: body.varintBig(),
      cold: body.varintBig(),
      id: takeId(),
    };
  } else if (type === 1) message = { kind: "end", id: body.varint() };
  else if (type === 2)
    message = { kind: "restart", id: body.varint(), hops: hops(body), warm: body.varintBig(), cold: body.varintBig() };
  // Unknown types are skipped whole and take no id.
  else return { kind: "unknown", type };
  body.end(`announce type ${type}`);
  return message;
}

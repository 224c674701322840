import { decodeBody } from "../../coding/bytes-reader.ts";
import { DEFAULT_LIMITS, type Limits } from "../../coding/limits.ts";
import { encodeMessage } from "../../coding/writer.ts";
import { DecodeError } from "../../errors.ts";
import { decodeSince, encodeSince } from "./fields.ts";
import type { Version } from "./version.ts";

// GOAWAY (spec §11, 04+): the sender is about to close; "" = no redirect.

/** Same cap as recent Rust, so a URI we accept is one every peer accepts. */
export const MAX_GOAWAY_URI_BYTES = 8192;

export interface Goaway {
  readonly uri: string;
}

const encoder = new TextEncoder();

export function encodeGoaway(msg: Goaway, version: Version): Uint8Array {
  encodeSince(version, "moq-lite-04", "GOAWAY");
  const uri = encoder.encode(msg.uri);
  if (uri.length > MAX_GOAWAY_URI_BYTES)
    throw new RangeError(`goaway uri is ${uri.length} bytes, the limit is ${MAX_GOAWAY_URI_BYTES}`);
  return encodeMessage((w) => w.bytes(uri));
}

export function decodeGoaway(body: Uint8Array, version: Version, _limits: Limits = DEFAULT_LIMITS): Goaway {
  decodeSince(version, "moq-lite-04", "GOAWAY");
  return decodeBody(body, "GOAWAY", (r) => {
    const uri = r.string("goaway uri");
    const size = encoder.encode(uri).length;
    if (size > MAX_GOAWAY_URI_BYTES)
      throw new DecodeError(`goaway uri is ${size} bytes, the limit is ${MAX_GOAWAY_URI_BYTES}`);
    return { uri };
  });
}

// Well-framed 05+ messages with arbitrary field values: byte mutations of a short message mostly
// break its framing, so these reach what a decoder does with odd values (a zero or huge timescale,
// unknown or repeated SETUP parameters, a cost past 2^53, a path that is not UTF-8).

import fc from "fast-check";
import { encodeVarint } from "../../../main/moq/coding/varint.ts";
import { UniStreamType } from "../../../main/moq/lite/wire/stream-type.ts";
import { versionAtLeast, type Version } from "../../../main/moq/lite/wire/version.ts";
import { concat } from "./bytes.ts";

/** A varint's value: small, or at the edges where numbers stop being exact. */
const value = fc.oneof(
  fc.nat({ max: 100_000 }),
  fc.constantFrom(0n, 1n, 2n ** 32n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 62n - 1n),
);

const message = (body: Uint8Array) => concat(encodeVarint(body.length), body);

/** TRACK_INFO: priority, 05's Ordered byte (any value), max latency, timescale. */
export function trackInfoFields(version: Version): fc.Arbitrary<Uint8Array> {
  const ordered = versionAtLeast(version, "moq-lite-06") ? fc.constant([]) : fc.constantFrom([0], [1], [2]);
  return fc
    .tuple(fc.integer({ min: 0, max: 255 }), ordered, value, value)
    .map(([priority, o, latency, timescale]) =>
      message(concat([priority], o, encodeVarint(latency), encodeVarint(timescale))),
    );
}

/** A Setup stream (type included): a count and parameters with known, unknown or repeated ids. */
export const setupFields: fc.Arbitrary<Uint8Array> = fc
  .array(
    fc.tuple(
      fc.constantFrom(0, 1, 2, 3, 4, 5, 6, 0x3f, 0x40),
      fc.oneof(
        value.map((v) => encodeVarint(v)),
        fc.uint8Array({ maxLength: 12 }),
      ),
    ),
    { maxLength: 6 },
  )
  .map((params) =>
    concat(
      [UniStreamType.Setup],
      message(
        concat(
          encodeVarint(params.length),
          ...params.flatMap(([id, v]) => [encodeVarint(id), encodeVarint(v.length), v]),
        ),
      ),
    ),
  );

import { decodeBody } from "../../coding/bytes-reader.ts";
import { DEFAULT_LIMITS, type Limits } from "../../coding/limits.ts";
import { encodeMessage } from "../../coding/writer.ts";
import { decodeSince, encodeSince, writeU8, writeUint } from "./fields.ts";
import type { Path } from "../../model/path.ts";
import { decodePath, writePath } from "./path.ts";
import type { Version } from "./version.ts";

// FETCH (spec §9, 03+): one past group, answered with FRAMEs directly on the same stream.
// 03/04 peers do not serve it in practice.

export interface Fetch {
  readonly broadcast: Path;
  readonly track: string;
  readonly priority: number;
  /** Absolute group sequence (plain, not +1 encoded). */
  readonly group: number;
}

export function encodeFetch(msg: Fetch, version: Version): Uint8Array {
  encodeSince(version, "moq-lite-03", "FETCH");
  return encodeMessage((w) => {
    writePath(w, msg.broadcast);
    w.string(msg.track);
    writeU8(w, msg.priority, "subscriber priority");
    writeUint(w, msg.group, "group sequence");
  });
}

export function decodeFetch(body: Uint8Array, version: Version, _limits: Limits = DEFAULT_LIMITS): Fetch {
  decodeSince(version, "moq-lite-03", "FETCH");
  return decodeBody(body, "FETCH", (r) => {
    const broadcast = decodePath(r, "broadcast path");
    const track = r.string("track name");
    const priority = r.u8("subscriber priority");
    const group = r.varint("group sequence");
    return { broadcast, track, priority, group };
  });
}

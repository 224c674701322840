import { decodeBody } from "../../coding/bytes-reader.ts";
import { DEFAULT_LIMITS, type Limits } from "../../coding/limits.ts";
import { encodeMessage } from "../../coding/writer.ts";
import { DecodeError } from "../../errors.ts";
import { decodeSince, encodeSince, readOptionalGroup, writeOptionalGroup, writeU8, writeUint } from "./fields.ts";
import type { Path } from "../../model/path.ts";
import { decodePath, writePath } from "./path.ts";
import { versionAtLeast, type Version } from "./version.ts";

// FETCH (spec §9, 03+): one past group, answered with FRAMEs directly on the same stream.
// 03/04 peers do not serve it in practice.

export interface Fetch {
  readonly broadcast: Path;
  readonly track: string;
  readonly priority: number;
  /** Absolute group sequence (plain, not +1 encoded). */
  readonly group: number;
  /** 06+: the first frame wanted (0 = the whole group); the answer starts exactly there. */
  readonly startFrame?: number;
  /** 06+: the last frame wanted (inclusive); undefined = to the end of the group. */
  readonly endFrame?: number;
}

export function encodeFetch(msg: Fetch, version: Version): Uint8Array {
  encodeSince(version, "moq-lite-03", "FETCH");
  return encodeMessage((w) => {
    writePath(w, msg.broadcast);
    w.string(msg.track);
    writeU8(w, msg.priority, "subscriber priority");
    writeUint(w, msg.group, "group sequence");
    if (versionAtLeast(version, "moq-lite-06")) {
      writeUint(w, msg.startFrame ?? 0, "start frame");
      writeOptionalGroup(w, msg.endFrame, "end frame");
    } else if (msg.startFrame || msg.endFrame !== undefined) {
      throw new RangeError(`frame bounds do not exist in ${version} (needs moq-lite-06 or later)`);
    }
  });
}

export function decodeFetch(body: Uint8Array, version: Version, _limits: Limits = DEFAULT_LIMITS): Fetch {
  decodeSince(version, "moq-lite-03", "FETCH");
  return decodeBody(body, "FETCH", (r) => {
    const broadcast = decodePath(r, "broadcast path");
    const track = r.string("track name");
    const priority = r.u8("subscriber priority");
    const group = r.varint("group sequence");
    if (!versionAtLeast(version, "moq-lite-06")) return { broadcast, track, priority, group };
    const startFrame = r.varint("start frame");
    const endFrame = readOptionalGroup(r, "end frame");
    if (endFrame !== undefined && endFrame < startFrame)
      throw new DecodeError(`fetch end frame ${endFrame} is before its start frame ${startFrame}`);
    if (startFrame === 0 && endFrame === undefined) return { broadcast, track, priority, group };
    return { broadcast, track, priority, group, startFrame, endFrame };
  });
}

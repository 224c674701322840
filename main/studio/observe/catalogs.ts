// Hang catalogs of the broadcasts looked at: decoded to renditions, kept with their JSON text.

import type { BroadcastInfo } from "../../ipc/contract.ts";
import { LiveCollection } from "../live/collection.ts";
import { decodeCatalog, isHangBroadcast } from "./hang.ts";
import type { RecordOf } from "./records.ts";

/** Catalog JSON text kept for the raw view. */
export const CATALOG_TEXT_CAP = 64 * 1024;
/** Broadcasts whose catalog is kept. */
const MAX_CATALOGS = 1000;

export class Catalogs {
  readonly view = new LiveCollection<BroadcastInfo>(MAX_CATALOGS);

  /** The info for a broadcast, made (empty) when first asked for. */
  ensure(broadcast: string): BroadcastInfo {
    const known = this.view.get(broadcast);
    if (known) return known;
    const info: BroadcastInfo = {
      key: broadcast,
      isHang: isHangBroadcast(broadcast),
      renditions: [],
      catalogJson: null,
      error: null,
      updatedAt: null,
    };
    this.view.set(info);
    return info;
  }

  apply(record: RecordOf<"catalog">): void {
    const base = this.ensure(record.broadcast);
    if (record.json === null) {
      this.view.set({ ...base, error: record.error, updatedAt: record.at });
      return;
    }
    const text = record.json.length > CATALOG_TEXT_CAP ? `${record.json.slice(0, CATALOG_TEXT_CAP)}…` : record.json;
    try {
      const { renditions } = decodeCatalog(record.json);
      this.view.set({ ...base, isHang: true, renditions, catalogJson: text, error: null, updatedAt: record.at });
    } catch (err) {
      this.view.set({ ...base, catalogJson: text, error: (err as Error).message, updatedAt: record.at });
    }
  }

  rendition(broadcast: string, track: string): { kind: "video" | "audio"; bitrate: number | null } | undefined {
    const r = this.view.get(broadcast)?.renditions.find((x) => x.track === track);
    return r ? { kind: r.kind, bitrate: r.bitrate } : undefined;
  }
}

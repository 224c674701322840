import { DecodeError } from "../../errors.ts";
import type { MoqError } from "../../errors.ts";
import type { AnnouncementChange } from "../../mux.ts";
import {
  decodeAnnounce,
  decodeAnnounceInit,
  decodeAnnounceInterest,
  decodeAnnounceOk,
  encodeAnnounce,
  encodeAnnounceInit,
  encodeAnnounceInterest,
  encodeAnnounceOk,
} from "../wire/announce.ts";
import { ZERO_COST, chargeCost, decodeAnnounce06, encodeAnnounce06 } from "../wire/announce-06.ts";
import type { Announce06, RouteCost } from "../wire/announce-06.ts";
import { joinPath, stripPrefix, toPath, type Path } from "../../model/path.ts";
import { BidiStreamType } from "../wire/stream-type.ts";
import { isLegacyVersion, versionAtLeast } from "../wire/version.ts";
import type { SessionCore } from "./context.ts";
import { streamEnded } from "./failure.ts";
import { AsyncQueue } from "./queue.ts";
import { openRequestStream, sessionWentAway } from "./stream-end.ts";
import type { RecvStream, SendStream } from "./streams.ts";
import { withTimeout } from "./timeout.ts";

const isLegacy = (core: SessionCore) => isLegacyVersion(core.version);
/** 05+: announce responses open with ANNOUNCE_OK, and the responder's hop is named there only. */
const hasAnnounceOk = (core: SessionCore) => versionAtLeast(core.version, "moq-lite-05");
/** 06+: typed announcements with implicit ids, and route cost beside the hop chain. */
const hasAnnounceIds = (core: SessionCore) => versionAtLeast(core.version, "moq-lite-06");
/** 06: how long a publisher waits for the peer's SETUP (its Hop) before answering anyway. */
const PEER_SETUP_WAIT_MS = 2000;
/** 06: what a link costs when the peer's SETUP names no price. */
const DEFAULT_LINK_COST = 1;
const interestName = (core: SessionCore) =>
  versionAtLeast(core.version, "moq-lite-04") ? "ANNOUNCE_INTEREST" : "ANNOUNCE_PLEASE";

/** Answer an Announce stream the peer opened: what we publish under its prefix, then changes. */
export async function serveAnnounce(core: SessionCore, send: SendStream, recv: RecvStream): Promise<void> {
  const body = await recv.message(core.limits.maxMessageBytes, interestName(core));
  const interest = decodeAnnounceInterest(body, core.version, core.limits);
  core.traced(recv, interestName(core), interest);
  const prefix = interest.prefix;
  // 06 names the subscriber once per session, in its SETUP's Hop, instead of in the request.
  const excludeHop = hasAnnounceIds(core)
    ? ((await withTimeout(core.peerSetup(), PEER_SETUP_WAIT_MS, undefined))?.hop ?? 0)
    : interest.excludeHop;
  const excluded = (change: AnnouncementChange) => excludeHop !== 0 && change.hops.includes(excludeHop);
  const ids = new AnnounceIds();

  // 05: our own hop, last in the chain, goes once in ANNOUNCE_OK instead.
  const ownHop = core.mux.hop;
  const hopsToSend = (hops: readonly number[]) =>
    hasAnnounceOk(core) && ownHop !== 0 && hops[hops.length - 1] === ownHop ? hops.slice(0, -1) : [...hops];
  const live = new Set<Path>();
  const send06 = (msg: Announce06, id: number, suffix: Path) =>
    void core
      .sendMessage(send, announceName(msg), { id, suffix, ...msg }, encodeAnnounce06(msg, core.version))
      .catch(() => {});
  // 06: an end is held until the current task is over. A relay switching a path to another route
  // ends it and announces it again at once; that goes out as one RESTART, keeping its id.
  const endsDue = new Map<Path, number>();
  const flushEnds = () => {
    for (const [suffix, id] of endsDue) {
      ids.end(suffix);
      send06({ kind: "end", id }, id, suffix);
    }
    endsDue.clear();
  };
  const announce06 = (change: AnnouncementChange, suffix: Path) => {
    const hops = hopsToSend(change.hops);
    const cost = change.cost ?? ZERO_COST;
    const restarting = endsDue.get(suffix);
    if (change.active && restarting !== undefined) {
      endsDue.delete(suffix);
      send06({ kind: "restart", id: restarting, hops, cost }, restarting, suffix);
    } else if (change.active) {
      send06({ kind: "start", suffix, hops, cost }, ids.start(suffix), suffix);
    } else {
      if (endsDue.size === 0) queueMicrotask(flushEnds);
      endsDue.set(suffix, ids.idOf(suffix));
    }
  };
  const announce = (change: AnnouncementChange) => {
    if (excluded(change)) return;
    const suffix = stripPrefix(prefix, change.path);
    if (suffix === undefined) return;
    // Statuses must alternate per path (spec §6.2): never send a duplicate.
    if (change.active === live.has(suffix)) return;
    if (change.active) live.add(suffix);
    else live.delete(suffix);
    if (hasAnnounceIds(core)) {
      announce06(change, suffix);
      return;
    }
    const msg = { active: change.active, suffix, hops: change.active ? hopsToSend(change.hops) : [] };
    void core.sendMessage(send, "ANNOUNCE", msg, encodeAnnounce(msg, core.version)).catch(() => {});
  };

  if (isLegacy(core)) {
    // 01/02 start with the complete set in one ANNOUNCE_INIT.
    const initial = core.mux.active(prefix).filter((c) => !excluded(c));
    const suffixes = initial.map((c) => stripPrefix(prefix, c.path)).filter((s): s is Path => s !== undefined);
    for (const s of suffixes) live.add(s);
    const init = { suffixes };
    await core.sendMessage(send, "ANNOUNCE_INIT", init, encodeAnnounceInit(init, core.version));
  }
  if (hasAnnounceOk(core)) {
    // 05: ANNOUNCE_OK says how many `active` announcements make up the initial set that follows.
    const activeCount = core.mux
      .active(prefix)
      .filter((c) => !excluded(c) && stripPrefix(prefix, c.path) !== undefined).length;
    const ok = { hop: ownHop, activeCount };
    await core.sendMessage(send, "ANNOUNCE_OK", ok, encodeAnnounceOk(ok, core.version));
  }
  const unwatch = core.mux.watch(prefix, announce);
  try {
    // The opener sends nothing more; it ends the stream when it loses interest.
    if (!(await recv.done())) throw new DecodeError(`unexpected bytes after ${interestName(core)}`);
    recv.noteEnd("fin");
    await send.close();
  } catch (err) {
    streamEnded(core, err, recv, send, "announce stream");
  } finally {
    unwatch();
  }
}

/**
 * Broadcasts announced by the peer under a prefix: their current set, then every change. `next()`
 * throws when the peer resets the announce stream (the error carries its code), after the changes
 * before it and an end for every path that was active; it returns undefined when the stream ended
 * cleanly or the session closed (then `closed` says why).
 */
export class AnnouncementReader implements AsyncIterable<AnnouncementChange> {
  readonly prefix: Path;
  readonly #queue = new AsyncQueue<AnnouncementChange>();
  readonly #live = new Map<Path, AnnouncementChange>();
  readonly #closed: Promise<MoqError | undefined>;
  #settle!: (why: MoqError | undefined) => void;
  #send?: SendStream;

  constructor(prefix: string) {
    this.prefix = toPath(prefix, "announce prefix");
    this.#closed = new Promise((resolve) => (this.#settle = resolve));
  }

  /** The next change; undefined once the stream ended (after every path was reported ended). */
  next(): Promise<AnnouncementChange | undefined> {
    return this.#queue.next();
  }

  /** Paths active right now. */
  get active(): AnnouncementChange[] {
    return [...this.#live.values()];
  }

  /** Stop listening (FIN the announce stream). */
  close(): void {
    void this.#send?.close();
    this.end(undefined);
  }

  /** Resolves when the stream ends: undefined on a clean end, else why it ended. */
  get closed(): Promise<MoqError | undefined> {
    return this.#closed;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<AnnouncementChange> {
    for (;;) {
      const change = await this.next();
      if (change === undefined) return;
      yield change;
    }
  }

  /** @internal */
  attach(send: SendStream): void {
    this.#send = send;
  }

  /**
   * @internal Apply one status change, enforcing the alternation rule. With `replaces` (05), an
   * `active` for an active path re-announces it: reported as its end, then the new route.
   */
  apply(suffix: Path, active: boolean, hops: readonly number[], replaces = false, cost?: RouteCost): void {
    const path = joinPath(this.prefix, suffix);
    const known = this.#live.has(path);
    if (active && known && replaces) {
      this.#live.delete(path);
      this.#queue.push({ path, active: false, hops: [] });
    } else if (active && known) throw new DecodeError(`duplicate active ANNOUNCE for "${path}"`);
    if (!active && !known) throw new DecodeError(`ANNOUNCE ended for "${path}", which is not active`);
    const change: AnnouncementChange = cost && active ? { path, active, hops, cost } : { path, active, hops };
    if (active) this.#live.set(path, change);
    else this.#live.delete(path);
    this.#queue.push(change);
  }

  /** @internal The stream is over without a failure of its own (FIN, closed by us, the session closed). */
  end(why: MoqError | undefined): void {
    this.#finish(why, false);
  }

  /** @internal The announce stream failed (the peer reset it): the reader gets the error. */
  fail(error: MoqError): void {
    this.#finish(error, true);
  }

  /** Every path learned on a stream ends with it. */
  #finish(why: MoqError | undefined, thrown: boolean): void {
    if (this.#queue.isClosed) return;
    for (const path of [...this.#live.keys()]) {
      this.#live.delete(path);
      this.#queue.push({ path, active: false, hops: [] });
    }
    this.#queue.close(thrown ? why : undefined);
    this.#settle(why);
  }
}

/** Open an Announce stream for `reader.prefix` and feed it until the stream ends. */
export async function runAnnounced(core: SessionCore, reader: AnnouncementReader): Promise<void> {
  const opened = await openRequestStream(core, "announce", BidiStreamType.Announce, reader);
  if (!opened) return;
  const { send, recv } = opened;
  reader.attach(send);
  const interest = { prefix: reader.prefix, excludeHop: 0 };
  try {
    await core.sendMessage(send, interestName(core), interest, encodeAnnounceInterest(interest, core.version));
    if (isLegacy(core)) {
      const body = await recv.message(core.limits.maxMessageBytes, "ANNOUNCE_INIT");
      const init = decodeAnnounceInit(body, core.version, core.limits);
      core.traced(recv, "ANNOUNCE_INIT", init);
      for (const suffix of init.suffixes) reader.apply(suffix, true, []);
    }
    // 05: ANNOUNCE_OK first; the responder's hop id closes every hop chain that follows.
    let responderHop: number[] = [];
    if (hasAnnounceOk(core)) {
      const body = await recv.message(core.limits.maxMessageBytes, "ANNOUNCE_OK");
      const ok = decodeAnnounceOk(body, core.version, core.limits);
      core.traced(recv, "ANNOUNCE_OK", ok);
      if (ok.hop !== 0) responderHop = [ok.hop];
    }
    if (hasAnnounceIds(core)) await followTyped(core, recv, reader, responderHop);
    for (; !hasAnnounceIds(core);) {
      const body = await recv.messageOrEnd(core.limits.maxMessageBytes, "ANNOUNCE");
      if (body === undefined) break;
      const msg = decodeAnnounce(body, core.version, core.limits);
      core.traced(recv, "ANNOUNCE", msg);
      const hops = msg.active && responderHop.length > 0 ? [...msg.hops, ...responderHop] : msg.hops;
      reader.apply(msg.suffix, msg.active, hops, hasAnnounceOk(core));
    }
    recv.noteEnd("fin");
    reader.end(undefined);
    await send.close();
  } catch (err) {
    const error = streamEnded(core, err, recv, send, "announce stream");
    if (await sessionWentAway(core, err)) reader.end(error);
    else reader.fail(error);
  }
}

/** 06: each START takes the stream's next id; END and RESTART name one that is live. */
class AnnounceIds {
  readonly #byPath = new Map<Path, number>();
  readonly #byId = new Map<number, Path>();
  #next = 0;

  start(suffix: Path): number {
    const id = this.#next++;
    this.#byPath.set(suffix, id);
    this.#byId.set(id, suffix);
    return id;
  }

  /** The path of a live id; a malformed stream otherwise. */
  path(id: number, what: string): Path {
    const suffix = this.#byId.get(id);
    if (suffix === undefined) throw new DecodeError(`${what} names announce id ${id}, which is not live`);
    return suffix;
  }

  isLive(suffix: Path): boolean {
    return this.#byPath.has(suffix);
  }

  idOf(suffix: Path): number {
    return this.#byPath.get(suffix)!;
  }

  end(suffix: Path): number {
    const id = this.#byPath.get(suffix)!;
    this.#byPath.delete(suffix);
    this.#byId.delete(id);
    return id;
  }
}

function announceName(msg: Announce06): string {
  return msg.kind === "start" ? "ANNOUNCE_START" : msg.kind === "end" ? "ANNOUNCE_END" : "ANNOUNCE_RESTART";
}

/**
 * 06: typed announcements until the stream ends. Each route's cost grows by what the link to the
 * peer costs (its SETUP's Cost, else 1), so a relay can prefer the cheaper of two routes.
 */
async function followTyped(
  core: SessionCore,
  recv: RecvStream,
  reader: AnnouncementReader,
  responderHop: readonly number[],
): Promise<void> {
  const link = (await withTimeout(core.peerSetup(), PEER_SETUP_WAIT_MS, undefined))?.cost ?? DEFAULT_LINK_COST;
  const ids = new AnnounceIds();
  const chain = (hops: readonly number[]) => (responderHop.length > 0 ? [...hops, ...responderHop] : hops);
  for (;;) {
    const type = await recv.varintOrEnd("announce type");
    if (type === undefined) return;
    const body = await recv.message(core.limits.maxMessageBytes, "announcement");
    const msg = decodeAnnounce06(type, body, core.version, core.limits);
    switch (msg.kind) {
      case "unknown":
        core.traced(recv, `ANNOUNCE (type ${msg.type})`, { type: msg.type, skipped: true });
        break;
      case "start": {
        if (ids.isLive(msg.suffix)) throw new DecodeError(`a second ANNOUNCE_START for "${msg.suffix}", which is live`);
        const id = ids.start(msg.suffix);
        core.traced(recv, "ANNOUNCE_START", { id, ...msg });
        reader.apply(msg.suffix, true, chain(msg.hops), false, chargeCost(msg.cost, link));
        break;
      }
      case "end": {
        const suffix = ids.path(msg.id, "ANNOUNCE_END");
        ids.end(suffix);
        core.traced(recv, "ANNOUNCE_END", { id: msg.id, suffix });
        reader.apply(suffix, false, []);
        break;
      }
      case "restart": {
        const suffix = ids.path(msg.id, "ANNOUNCE_RESTART");
        core.traced(recv, "ANNOUNCE_RESTART", { suffix, ...msg });
        reader.apply(suffix, true, chain(msg.hops), true, chargeCost(msg.cost, link));
        break;
      }
    }
  }
}

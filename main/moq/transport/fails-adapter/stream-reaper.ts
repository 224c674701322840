// Forget finished streams in the package's HTTP/2 capsule parser.
//
// Package behaviour worked around (checked against 1.6.8):
// - ParserBase keeps every stream in `wtstreams` for the life of the session: removeStream() has the
//   delete commented out, and nothing removes a stream that was only received. Every MAX_DATA walks
//   the whole map, so memory and CPU grow with every group a session ever carried (bench:ui saw the
//   app's RSS go from 349 to 1329 MB in five minutes of WebTransport over HTTP/2).
// - The priority scheduler keeps received streams registered for ever, for the same reason.
// - Sending FIN does not mark the sending side closed, so a bidirectional stream the peer opened never
//   returns its stream credit (MAX_STREAMS) however it ends.
// - A stream capsule for an id the map does not hold creates a new stream with that id, even when the
//   id belongs to a stream that has ended: forgetting streams naively would let the peer's late bytes
//   (sent before our STOP_SENDING reached it) surface as a new incoming stream.
//
// What this does: the sending side counts as closed once FIN is written; a stream whose two sides are
// closed leaves `wtstreams` and the scheduler; a capsule for an ended stream goes to a sink that only
// returns its bytes to the session's flow-control window. Relies on capsule-framing.ts: the parser
// never continues a capsule by stream id across reads.

import type { CapsuleParserInternals, PackageStream, StreamIdManagerInternals } from "./package-types.ts";

const REAPING = Symbol("moqscope.streamReaper");
/** largestPeerCreatedStreamId before the peer opened anything (the package's sentinel). */
const NONE_YET = BigInt(Number.MAX_SAFE_INTEGER);

interface Watched {
  unregistered: boolean;
  closeReported: boolean;
}

/** Install the reaper on a parser (once; a no-op on anything that does not look like one). */
export function installStreamReaper(parser: CapsuleParserInternals): void {
  if (!looksLikeParser(parser) || (parser as unknown as Record<symbol, unknown>)[REAPING]) return;
  (parser as unknown as Record<symbol, unknown>)[REAPING] = true;
  const watched = new WeakMap<PackageStream, Watched>();
  const lastOpened = new WeakMap<StreamIdManagerInternals, bigint>();
  const managers = parser.session;

  const managerFor = (id: bigint) => (id & 0x2n ? managers.streamIdMngrUni : managers.streamIdMngrBi);
  const isIncoming = (id: bigint) => (parser.isclient ? (id & 0x1n) === 0n : (id & 0x1n) === 1n);

  /** Whether `id` is a stream that existed and ended (or, for our side, one we never opened). */
  const isOver = (id: bigint): boolean => {
    const m = managerFor(id);
    if (isIncoming(id)) {
      const largest = m.largestPeerCreatedStreamId;
      return largest !== NONE_YET && id <= largest && !m.availableStreams.has(id);
    }
    // The session opens ours in order, right after taking the id from the manager.
    const fresh = id === m.nextOutgoingStreamId - 4n && id > (lastOpened.get(m) ?? -1n);
    return !fresh;
  };

  const reapIfDone = (stream: PackageStream) => {
    if (!stream.incomingClosed_ || !stream.outgoingClosed_) return;
    const id = stream.streamid;
    if (parser.wtstreams.get(id) === stream) parser.wtstreams.delete(id);
    const w = watched.get(stream);
    if (w && !w.unregistered) {
      w.unregistered = true;
      parser.scheduler.Unregister(id);
    }
  };

  const watch = (stream: PackageStream) => {
    if (watched.has(stream)) return;
    const w: Watched = { unregistered: false, closeReported: false };
    watched.set(stream, w);
    const { closeIncoming, closeOutgoing, onClose } = stream;
    // Both sides may be closed more than once (FIN then RESET); the credit goes back once.
    stream.onClose = () => {
      if (w.closeReported) return;
      w.closeReported = true;
      onClose.call(stream);
    };
    stream.closeIncoming = () => {
      closeIncoming.call(stream);
      reapIfDone(stream);
    };
    stream.closeOutgoing = () => {
      closeOutgoing.call(stream);
      reapIfDone(stream);
    };
  };

  const newStream = parser.newStream;
  parser.newStream = (id, priority) => {
    if (!parser.wtstreams.has(id) && isOver(id)) return lateBytesSink(parser);
    if (!isIncoming(id)) lastOpened.set(managerFor(id), id);
    const stream = newStream.call(parser, id, priority);
    if (stream) watch(stream);
    return stream;
  };

  const removeStream = parser.removeStream;
  // The package calls this once FIN is written.
  parser.removeStream = (id) => {
    const stream = parser.wtstreams.get(id);
    const w = stream ? watched.get(stream) : undefined;
    if (w?.unregistered) return;
    removeStream.call(parser, id);
    if (!stream || !w) return;
    w.unregistered = true;
    stream.closeOutgoing();
  };

  for (const stream of parser.wtstreams.values()) watch(stream);
}

/** Stands in for an ended stream: its late bytes only go back to the session's flow-control window. */
function lateBytesSink(parser: CapsuleParserInternals): PackageStream {
  const flow = parser.session.flowController;
  const sink = {
    streamid: -1n,
    incomingClosed_: true,
    outgoingClosed_: true,
    closeIncoming() {},
    closeOutgoing() {},
    onClose() {},
    onFin() {},
    onStreamSignal() {},
    hasPendingData: () => false,
    recvData({ data }: { data?: Uint8Array }) {
      if (!data || data.byteLength === 0) return;
      flow.updateHighestReceivedOffset(data.byteLength);
      flow.addBytesConsumed(data.byteLength);
    },
    jsobj: { onStreamRecvSignal() {} },
  };
  return sink;
}

function looksLikeParser(p: unknown): p is CapsuleParserInternals {
  const parser = p as Partial<CapsuleParserInternals> | undefined;
  return (
    !!parser &&
    parser.wtstreams instanceof Map &&
    typeof parser.newStream === "function" &&
    typeof parser.removeStream === "function" &&
    typeof parser.scheduler?.Unregister === "function" &&
    !!parser.session?.streamIdMngrUni &&
    !!parser.session?.streamIdMngrBi &&
    !!parser.session?.flowController
  );
}

/** How many streams the parser tracks (both directions); undefined when `parser` is not one. */
export function trackedStreamCount(parser: unknown): number | undefined {
  return looksLikeParser(parser) ? parser.wtstreams.size : undefined;
}

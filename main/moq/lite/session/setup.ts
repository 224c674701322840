import { DecodeError, ErrorCode, MoqError } from "../../errors.ts";
import { SERVER_SETUP_TYPE, BidiStreamType } from "../wire/stream-type.ts";
import {
  decodeClientSetup,
  decodeServerSetup,
  decodeSessionUpdate,
  encodeClientSetup,
  encodeServerSetup,
} from "../wire/setup.ts";
import type { SetupParam } from "../wire/setup.ts";
import { LEGACY_VERSIONS, VERSION_CODES, isLegacyVersion, versionFromCode } from "../wire/version.ts";
import type { Version } from "../wire/version.ts";
import type { SessionCore } from "./context.ts";
import type { RecvStream, SendStream } from "./streams.ts";

// The 01/02 compat exchange (spec §4.3): a draft-14 CLIENT_SETUP / SERVER_SETUP on bidi 0x20,
// whose stream then lives on as the session stream.

const encoder = new TextEncoder();
const PARAMS: SetupParam[] = [
  { key: 2, value: 2 ** 32 - 1 },
  { key: 7, value: encoder.encode("moqscope") },
];

export interface LegacySetup {
  version: Version;
  send: SendStream;
  recv: RecvStream;
}

/** Client side: offer 02 and 01, learn the server's choice. */
export async function clientSetup(
  core: Omit<SessionCore, "version">,
  open: () => Promise<{ send: SendStream; recv: RecvStream }>,
): Promise<LegacySetup> {
  const { send, recv } = await open();
  const msg = { versions: LEGACY_VERSIONS.map((v) => VERSION_CODES[v]), params: PARAMS };
  await core.sendMessage(send, "CLIENT_SETUP", msg, encodeClientSetup(msg));
  const type = await recv.varint("SERVER_SETUP type");
  if (type !== SERVER_SETUP_TYPE)
    throw new DecodeError(`expected SERVER_SETUP (0x21), got stream message type ${type}`);
  const len = await recv.u16("SERVER_SETUP length");
  if (len > core.limits.maxMessageBytes) throw new DecodeError(`SERVER_SETUP length ${len} exceeds the limit`);
  const server = decodeServerSetup(await recv.exact(len, "SERVER_SETUP"), core.limits);
  core.traced(recv, "SERVER_SETUP", server);
  const version = versionFromCode(server.version);
  if (!version || !isLegacyVersion(version)) {
    throw new MoqError(
      ErrorCode.UnsupportedVersion,
      `server selected version 0x${server.version.toString(16)}, which is not moq-lite-01/02`,
    );
  }
  return { version, send, recv };
}

/** Server side: read CLIENT_SETUP (type byte already read) and answer with the first version we share. */
export async function serverSetup(
  core: Omit<SessionCore, "version">,
  send: SendStream,
  recv: RecvStream,
): Promise<Version> {
  const len = await recv.u16("CLIENT_SETUP length");
  if (len > core.limits.maxMessageBytes) throw new DecodeError(`CLIENT_SETUP length ${len} exceeds the limit`);
  const client = decodeClientSetup(await recv.exact(len, "CLIENT_SETUP"), core.limits);
  core.traced(recv, "CLIENT_SETUP", client);
  const version = client.versions.map(versionFromCode).find((v): v is Version => v !== undefined && isLegacyVersion(v));
  if (!version) {
    const offered = client.versions.map((v) => `0x${v.toString(16)}`).join(", ");
    throw new MoqError(
      ErrorCode.UnsupportedVersion,
      `client offered no moq-lite version we speak over SETUP (offered ${offered})`,
    );
  }
  const msg = { version: VERSION_CODES[version], params: [] };
  const bytes = encodeServerSetup(msg);
  const framed = new Uint8Array(bytes.length + 1);
  framed[0] = SERVER_SETUP_TYPE;
  framed.set(bytes, 1);
  await core.sendMessage(send, "SERVER_SETUP", msg, framed);
  return version;
}

/** Keep reading the session stream (SESSION_UPDATE); its end ends the session. */
export async function followSessionStream(
  core: SessionCore,
  recv: RecvStream,
  onBitrate: (bps: number) => void,
): Promise<void> {
  for (;;) {
    const body = await recv.messageOrEnd(core.limits.maxMessageBytes, "SESSION_UPDATE");
    if (body === undefined) return;
    const update = decodeSessionUpdate(body, core.version, core.limits);
    core.traced(recv, "SESSION_UPDATE", update);
    onBitrate(update.bitrate);
  }
}

export const SETUP_STREAM_TYPE = BidiStreamType.SetupCompat;

// A peer that resets our probe or announce stream (as moq-relay does when a probe opener sends a
// target): the reader gets the reset as an error with its code, after whatever came before it,
// and the session stays open. A session that closes just ends the readers.

import { toPath } from "../../../../main/moq/model/path.ts";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ErrorCode, MoqError } from "../../../../main/moq/errors.ts";
import type { Session } from "../../../../main/moq/lite/session/session.ts";
import { encodeAnnounce } from "../../../../main/moq/lite/wire/announce.ts";
import { decodeProbe } from "../../../../main/moq/lite/wire/probe.ts";
import { BidiStreamType } from "../../../../main/moq/lite/wire/stream-type.ts";
import type { Version } from "../../../../main/moq/lite/wire/version.ts";
import { connectTo } from "../../../helpers/server.ts";
import { within } from "../../../helpers/wait.ts";
import { writeAll } from "../../fuzz/raw-peer.ts";
import { startRawServer } from "../../fuzz/raw-server.ts";
import type { RawServer } from "../../fuzz/raw-server.ts";

const T = 10_000;
const VERSIONS: Version[] = ["moq-lite-04", "moq-lite-03"];

let raw: RawServer;
let client: Session | undefined;
beforeAll(async () => {
  raw = await startRawServer();
});
afterAll(async () => {
  await raw.close();
});
afterEach(() => {
  client?.close();
  client = undefined;
});

async function connectRawClient(version: Version): Promise<Session> {
  client = await connectTo(raw.ws, { transport: "websocket", versions: [version], legacy: false });
  return client;
}

describe.each(VERSIONS)("a peer resets our stream, %s", (version) => {
  it("probe: the target we sent is answered with reset 18, which probe().next() throws", async () => {
    const targets: number[] = [];
    raw.script = async (conn) => {
      const req = await conn.nextRequest();
      if (req.type !== BidiStreamType.Probe) throw new Error(`expected a probe stream, got type ${req.type}`);
      targets.push(decodeProbe(await req.recv.message(1024, "PROBE"), conn.version).bitrate);
      // moq-relay's answer to any byte from the opener ("short buffer").
      const writer = await writeAll(req.writable, [], false);
      await writer.abort(conn.transport.streamError(ErrorCode.Encode));
    };
    const session = await connectRawClient(version);
    const probe = session.probe(2_000_000);
    const error = await within(
      probe.next().then(
        () => undefined,
        (err: unknown) => err,
      ),
      T,
      "the probe reader to settle",
    );
    expect(targets).toEqual([2_000_000]);
    expect(error).toBeInstanceOf(MoqError);
    expect(error).toMatchObject({ code: ErrorCode.Encode, message: expect.stringContaining("18 Encode") });
    expect(await within(probe.closed, T, "probe.closed")).toBe(error);
    expect(session.isClosed).toBe(false);
  });

  it("announce: changes before the reset are read first, then announced().next() throws 13", async () => {
    raw.script = async (conn) => {
      const req = await conn.nextRequest();
      if (req.type !== BidiStreamType.Announce) throw new Error(`expected an announce stream, got type ${req.type}`);
      const writer = await writeAll(
        req.writable,
        [encodeAnnounce({ active: true, suffix: toPath("room/a"), hops: [] }, conn.version)],
        false,
      );
      await writer.abort(conn.transport.streamError(ErrorCode.NotFound));
    };
    const session = await connectRawClient(version);
    const reader = session.announced("");
    expect(await within(reader.next(), T, "the announcement")).toMatchObject({ path: "room/a", active: true });
    // Everything learned on the stream ends with it, then the reset itself.
    expect(await within(reader.next(), T, "the implied end")).toMatchObject({ path: "room/a", active: false });
    await expect(within(reader.next(), T, "the reset")).rejects.toMatchObject({ code: ErrorCode.NotFound });
    expect(session.isClosed).toBe(false);
  });
});

describe("the session closes under a reader", () => {
  it("ends probe and announce readers without an error; closed says why", async () => {
    raw.script = async (conn) => {
      await conn.nextRequest();
      await conn.nextRequest();
      conn.transport.session.close({ closeCode: ErrorCode.Unauthorized, reason: "token expired" });
    };
    const session = await connectRawClient("moq-lite-04");
    const reader = session.announced("");
    const probe = session.probe();
    expect(await within(reader.next(), T, "the end of the announcements")).toBeUndefined();
    expect(await within(probe.next(), T, "the end of the probe")).toBeUndefined();
    expect(await reader.closed).toMatchObject({ code: ErrorCode.Unauthorized });
    expect(await probe.closed).toMatchObject({ code: ErrorCode.Unauthorized });
  });
});

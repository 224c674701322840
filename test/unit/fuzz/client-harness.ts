// One fuzz run of our client Session against the raw server: the client uses an API, the raw
// server answers with hostile bytes, and every awaiting API must settle while the session either
// stays open or closes with protocol violation (15).

import { expect } from "vitest";
import { ErrorCode, MoqError } from "../../../main/moq/errors.ts";
import type { Session } from "../../../main/moq/lite/session/session.ts";
import type { Version } from "../../../main/moq/lite/wire/version.ts";
import { connectTo } from "../../helpers/server.ts";
import { within } from "../../helpers/wait.ts";
import type { Own05, RawServer, Script } from "./raw-server.ts";

export type ClientOutcome = { open: true } | { open: false; code: number; by: string; reason: string };

/**
 * Run `use` on a fresh client while `script` plays the server; `use` must settle within 5 s. On
 * 05+ the server's Setup stream and TRACK answers are `own`'s, valid ones where it leaves them out.
 */
export async function runClient(
  raw: RawServer,
  version: Version,
  script: Script,
  use: (client: Session) => Promise<unknown>,
  own: Own05 = {},
): Promise<ClientOutcome> {
  raw.script = script;
  raw.own = own;
  const client = await connectTo(raw.ws, {
    transport: "websocket",
    versions: [version],
    legacy: false,
    timeoutMs: 5000,
  });
  try {
    await within(use(client), 5000, "the client's awaiting APIs to settle");
    const close = client.connectionState().close;
    return close ? { open: false, ...close } : { open: true };
  } finally {
    client.close();
  }
}

export function expectOpenOrViolation(outcome: ClientOutcome, what: string): void {
  if (outcome.open) return;
  expect(outcome, what).toMatchObject({ code: ErrorCode.ProtocolViolation, by: "local" });
}

/** Read a subscription to its end, whatever that end is. */
export async function consumeSubscription(client: Session, broadcast = "fuzz/b", track = "t"): Promise<unknown> {
  const sub = client.subscribe(broadcast, track);
  for (;;) {
    const group = await sub.nextGroup().catch(() => undefined);
    if (!group) break;
    while ((await group.readFrame().catch(() => undefined)) !== undefined);
  }
  return sub.closed;
}

/** Read announcements to the end, whatever that end is (a reset stream throws its MoqError). */
export async function consumeAnnounced(client: Session): Promise<void> {
  const reader = client.announced("");
  await toEnd(() => reader.next());
}

/** Read probe reports to the end, whatever that end is (a reset stream throws its MoqError). */
export async function consumeProbe(client: Session): Promise<void> {
  const reader = client.probe();
  await toEnd(() => reader.next());
}

async function toEnd(next: () => Promise<unknown>): Promise<void> {
  try {
    while ((await next()) !== undefined);
  } catch (err) {
    if (!(err instanceof MoqError)) throw err;
  }
}

// The library never prints: a listener reports what goes wrong with one session through its onError
// option and otherwise stays silent. Over real WebTransport on 127.0.0.1, with an onSession that
// refuses to take the session, which the listener must close and report.

import { afterEach, describe, expect, it, vi } from "vitest";
import { connectTransport } from "../../../main/moq/transport/connect.ts";
import { listen, type Listener, type ListenerError } from "../../../main/moq/transport/listener.ts";

const VERSIONS = ["moq-lite-04"];

let cleanup: (() => unknown)[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  const steps = cleanup.reverse();
  cleanup = [];
  for (const step of steps) await Promise.resolve(step()).catch(() => {});
});

/** Every console method the library could print through, recorded instead of printed. */
function watchConsole(onPrint: () => void): unknown[][] {
  const printed: unknown[][] = [];
  for (const method of ["log", "info", "warn", "error", "debug"] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      printed.push([method, ...args]);
      onPrint();
    });
  }
  return printed;
}

async function refusingListener(onError?: (e: ListenerError) => void): Promise<Listener> {
  const listener = await listen({
    versions: VERSIONS,
    http3: false,
    onSession: () => {
      throw new Error("no room for this session");
    },
    ...(onError ? { onError } : {}),
  });
  cleanup.push(() => listener.close());
  return listener;
}

/** Dial over WebTransport; settles once the client got its session and saw it end, or was refused. */
function dialAndWaitForTheEnd(listener: Listener): Promise<void> {
  return connectTransport(`https://127.0.0.1:${listener.port}/`, {
    transport: "webtransport",
    versions: VERSIONS,
    fingerprint: listener.fingerprint,
    timeoutMs: 5_000,
  }).then(
    (t) => {
      cleanup.push(() => t.dispose());
      return Promise.resolve(t.session.closed).then(
        () => {},
        () => {},
      );
    },
    () => {},
  );
}

describe("listener errors", () => {
  it("a WebTransport session onSession could not take goes to onError, with a line to log, and is not printed", async () => {
    let reported!: () => void;
    const happened = new Promise<void>((resolve) => (reported = resolve));
    const printed = watchConsole(reported);
    const errors: ListenerError[] = [];
    const listener = await refusingListener((e) => {
      errors.push(e);
      reported();
    });
    void dialAndWaitForTheEnd(listener);
    await happened;
    expect(printed, "the library printed instead of calling onError").toEqual([]);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.source).toBe("webtransport-session");
    expect(errors[0]!.message).toBe("WebTransport session setup failed: no room for this session");
    expect((errors[0]!.cause as Error).message).toBe("no room for this session");
  });

  it("without onError the listener stays silent", async () => {
    const printed = watchConsole(() => {});
    const listener = await refusingListener();
    // The server closes the session it could not hand over; by the time the client sees that end,
    // the listener has already dealt with the failure (reported or printed it).
    await dialAndWaitForTheEnd(listener);
    expect(printed, "the library printed a failure nobody asked to hear about").toEqual([]);
  });
});

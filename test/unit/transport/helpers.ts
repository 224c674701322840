// Shared plumbing for the transport tests: a listener whose sessions can be awaited one by one,
// and small stream helpers. Everything runs over real sockets on 127.0.0.1.

import {
  listen,
  type Listener,
  type ListenOptions,
  type SessionRequest,
} from "../../../main/moq/transport/listener.ts";
import type { Transport } from "../../../main/moq/transport/types.ts";

export interface Accepted {
  transport: Transport;
  request: SessionRequest;
}

export interface TestServer {
  listener: Listener;
  port: number;
  /** The next session the listener accepts from now on. */
  next(): Promise<Accepted>;
  close(): Promise<void>;
}

export async function startServer(opts: Partial<ListenOptions> = {}): Promise<TestServer> {
  const waiting: ((a: Accepted) => void)[] = [];
  const ready: Accepted[] = [];
  const listener = await listen({
    versions: ["moq-lite-04", "moq-lite-03"],
    ...opts,
    onSession(transport, request) {
      const a = { transport, request };
      const w = waiting.shift();
      if (w) w(a);
      else ready.push(a);
    },
  });
  return {
    listener,
    port: listener.port,
    next: () => {
      // Sessions from earlier tests that nobody awaited are not the one the caller means.
      for (const old of ready.splice(0)) old.transport.dispose();
      return new Promise<Accepted>((resolve) => waiting.push(resolve));
    },
    close: () => listener.close(),
  };
}

export async function readAll(readable: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const reader = readable.getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    parts.push(value);
    total += value.byteLength;
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

export async function nextOf<T>(stream: ReadableStream<T>): Promise<T> {
  const reader = stream.getReader();
  try {
    const { value, done } = await reader.read();
    if (done) throw new Error("stream ended");
    return value;
  } finally {
    reader.releaseLock();
  }
}

export const text = (s: string) => new TextEncoder().encode(s);
export const str = (b: Uint8Array) => new TextDecoder().decode(b);

export function pattern(size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (i * 31 + (i >> 8)) & 0xff;
  return out;
}

/** Resolve with the rejection reason of a promise that is expected to fail. */
export async function rejectionOf(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error("expected a rejection");
}

export async function until<T>(f: () => T | undefined, what: string, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

// Cutting input into frames: a file read from the start for each subscriber, or a stream (stdin)
// read once. Every frame is a fresh buffer, since published frames are kept and shared.

import { open } from "node:fs/promises";

/** The file in frames of `frameBytes` (the last one shorter), read as they are asked for. */
export async function* fileFrames(path: string, frameBytes: number): AsyncGenerator<Uint8Array> {
  const handle = await open(path, "r");
  try {
    let position = 0;
    for (;;) {
      const frame = Buffer.allocUnsafe(frameBytes);
      let filled = 0;
      while (filled < frameBytes) {
        const { bytesRead } = await handle.read(frame, filled, frameBytes - filled, position + filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      if (filled === 0) return;
      position += filled;
      yield filled === frameBytes ? frame : frame.subarray(0, filled);
      if (filled < frameBytes) return;
    }
  } finally {
    await handle.close();
  }
}

/**
 * A byte stream in frames of `frameBytes`. When the input pauses for `idleMs` with a partial
 * frame buffered, that shorter frame goes out, so a live pipe is not held back.
 */
export async function* streamFrames(
  input: AsyncIterable<Uint8Array>,
  frameBytes: number,
  idleMs: number,
): AsyncGenerator<Uint8Array> {
  const source = input[Symbol.asyncIterator]();
  const pending: Uint8Array[] = [];
  let size = 0;
  const take = (n: number): Uint8Array => {
    const out = Buffer.allocUnsafe(n);
    let at = 0;
    while (at < n) {
      const head = pending[0]!;
      const part = Math.min(head.length, n - at);
      out.set(head.subarray(0, part), at);
      at += part;
      if (part === head.length) pending.shift();
      else pending[0] = head.subarray(part);
    }
    size -= n;
    return out;
  };

  let next = source.next();
  for (;;) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const idle =
      size > 0 ? new Promise<"idle">((resolve) => (timer = setTimeout(() => resolve("idle"), idleMs))) : undefined;
    const result = idle ? await Promise.race([next, idle]) : await next;
    clearTimeout(timer);
    if (result === "idle") {
      yield take(size);
      continue;
    }
    if (result.done) break;
    next = source.next();
    const chunk = result.value;
    if (chunk.length > 0) {
      pending.push(chunk);
      size += chunk.length;
    }
    while (size >= frameBytes) yield take(frameBytes);
  }
  if (size > 0) yield take(size);
}

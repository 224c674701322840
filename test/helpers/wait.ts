/** Resolve `p`, or fail with a message naming what never happened. */
export async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
export const text = (s: string) => encoder.encode(s);
export const str = (b: Uint8Array | undefined) => (b === undefined ? undefined : decoder.decode(b));

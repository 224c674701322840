// A small seeded pseudo-random generator, so demo data is the same on every run and in tests.
// Not for anything secret: it only has to be fast and well spread.

/** Returns numbers in [0, 1) from a 32-bit seed (a mulberry32-style integer mixer). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let x = state;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 0x1_0000_0000;
  };
}

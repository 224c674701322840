// Fixed seeds keep CI reproducible; FUZZ_SEED=<n> explores elsewhere. fast-check prints the seed
// and counterexample path of a failing property, which replay it exactly.

export function fuzzSeed(base: number): number {
  const env = process.env.FUZZ_SEED;
  return env !== undefined && env !== "" ? Number(env) + base : base;
}

/** FUZZ_RUNS=<n> scales every property up for a longer local session. */
export function fuzzRuns(base: number): number {
  const env = Number(process.env.FUZZ_RUNS);
  return Number.isFinite(env) && env > 0 ? env : base;
}

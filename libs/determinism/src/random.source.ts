/** A uniform [0, 1) source. Every random choice in ASET draws from a seeded one so that runs replay. */
export type Random = () => number;

/**
 * A seeded uniform [0, 1) generator (mulberry32): small, fast, and the same sequence on every platform.
 * Period 2^32; statistically fine for simulation and sampling, not for cryptography.
 */
export function seededRandom(seed: number): Random {
  // State in a typed array: a closure-captured uint32 would allocate a heap number per draw.
  const state = new Uint32Array([seed >>> 0]);
  return () => {
    const a = ((state[0] as number) + 0x6d2b79f5) >>> 0;
    state[0] = a;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Derives an independent stream seed from a base seed and a label (FNV-1a), e.g. one stream per arrival process. */
export function deriveSeed(seed: number, label: string): number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Exponential variate with the given mean. */
export function exponential(random: Random, mean: number): number {
  return -Math.log(1 - random()) * mean;
}

/** Standard normal variate (Box-Muller). */
export function standardNormal(random: Random): number {
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Integer in [0, n). */
export function randomInt(random: Random, n: number): number {
  return Math.floor(random() * n);
}

import { seededRandom, type Random } from '@aset/determinism';
import type { HeldOutSet } from '@aset/model-zoo';

/**
 * Picks held-out samples for queries: a seeded permutation, walked in order and reshuffled when
 * exhausted, so that any run of `count` queries covers the set evenly (accuracy measured on a run
 * tracks the held-out accuracy closely). The walk is a function of the seed alone: its `k`-th sample
 * ({@link at}) is the same whichever draws were skipped before it.
 */
export class InputSampler {
  private readonly seed: number;
  private order!: Uint32Array;
  private random!: Random;
  /** Passes over the set shuffled so far; `order` is the last one's, which holds draws (passes - 1) * count and on. */
  private passes = 0;
  /** Draws taken so far: the next {@link next} is draw `drawn`. */
  private drawn = 0;

  constructor(
    readonly set: HeldOutSet,
    seed: number,
  ) {
    if (set.count === 0) throw new RangeError(`held-out set of task ${set.task} is empty`);
    this.seed = seed;
    this.restart();
  }

  /** Index of the next sample: the walk's draw after the last one taken. */
  next(): number {
    return this.at(this.drawn);
  }

  /**
   * Index of the walk's `k`-th sample (from 0). Forward from the last draw it costs what the skipped
   * passes' shuffles cost; an earlier `k` replays the walk from the seed.
   */
  at(k: number): number {
    if (!Number.isInteger(k) || k < 0) throw new RangeError(`draw index must be an integer >= 0, got ${k}`);
    const n = this.order.length;
    if (Math.floor(k / n) < this.passes - 1) this.restart();
    while (Math.floor(k / n) >= this.passes) this.shuffle();
    this.drawn = k + 1;
    return this.order[k % n] as number;
  }

  /** The sample's values (a view, not a copy) and its label. */
  sample(index: number): { values: Float32Array; label: number } {
    const { sampleSize, inputs, labels } = this.set;
    return { values: inputs.subarray(index * sampleSize, (index + 1) * sampleSize), label: labels[index] as number };
  }

  private restart(): void {
    this.random = seededRandom(this.seed);
    this.order = new Uint32Array(this.set.count).map((_, i) => i);
    this.passes = 0;
    this.drawn = 0;
    this.shuffle();
  }

  /** Shuffles the current order in place: the next pass. */
  private shuffle(): void {
    for (let i = this.order.length - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      const t = this.order[i] as number;
      this.order[i] = this.order[j] as number;
      this.order[j] = t;
    }
    this.passes++;
  }
}

import { seededRandom, type Random } from '@aset/determinism';
import type { HeldOutSet } from '@aset/model-zoo';

/**
 * Picks held-out samples for queries: a seeded permutation, walked in order and reshuffled when
 * exhausted, so that any run of `count` queries covers the set evenly (accuracy measured on a run
 * tracks the held-out accuracy closely).
 */
export class InputSampler {
  private readonly order: Uint32Array;
  private position = 0;
  private readonly random: Random;

  constructor(
    readonly set: HeldOutSet,
    seed: number,
  ) {
    this.random = seededRandom(seed);
    this.order = new Uint32Array(set.count).map((_, i) => i);
    this.shuffle();
  }

  /** Index of the next sample. */
  next(): number {
    if (this.position === this.order.length) {
      this.position = 0;
      this.shuffle();
    }
    return this.order[this.position++] as number;
  }

  /** The sample's values (a view, not a copy) and its label. */
  sample(index: number): { values: Float32Array; label: number } {
    const { sampleSize, inputs, labels } = this.set;
    return { values: inputs.subarray(index * sampleSize, (index + 1) * sampleSize), label: labels[index] as number };
  }

  private shuffle(): void {
    for (let i = this.order.length - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      const t = this.order[i] as number;
      this.order[i] = this.order[j] as number;
      this.order[j] = t;
    }
  }
}

import { describe, expect, it } from 'vitest';
import { seededRandom } from '@aset/determinism';
import { percentile, percentilesInPlace } from './latency.summary.js';

const PS = [0, 0.01, 0.5, 0.5, 0.95, 0.99, 1];

describe('percentilesInPlace', () => {
  it('equals percentile over the sorted values, for any size, with ties, and keeps the values', () => {
    const random = seededRandom(3);
    for (const n of [1, 2, 3, 4, 5, 10, 101, 1000, 4096]) {
      for (const distinct of [2, 50, Infinity]) {
        const values = Float64Array.from({ length: n }, () => (distinct === Infinity ? random() * 100 : Math.floor(random() * distinct)));
        const sorted = values.slice().sort();
        const got = percentilesInPlace(values, PS);
        expect(got, `n=${n} distinct=${distinct}`).toEqual(PS.map((p) => percentile(sorted, p)));
        expect(values.slice().sort()).toEqual(sorted);
      }
    }
  });

  it('handles sorted, reversed and constant inputs', () => {
    for (const values of [Float64Array.from({ length: 999 }, (_, i) => i), Float64Array.from({ length: 999 }, (_, i) => 999 - i), new Float64Array(500).fill(7)]) {
      const sorted = values.slice().sort();
      expect(percentilesInPlace(values, [0.5, 0.95, 0.99])).toEqual([0.5, 0.95, 0.99].map((p) => percentile(sorted, p)));
    }
  });

  it('gives NaN for no values and refuses unordered or out-of-range percentiles', () => {
    expect(percentilesInPlace(new Float64Array(0), [0.5, 0.9])).toEqual([Number.NaN, Number.NaN]);
    expect(() => percentilesInPlace(Float64Array.of(1, 2), [0.9, 0.5])).toThrow(/ascending/);
    expect(() => percentilesInPlace(Float64Array.of(1, 2), [1.5])).toThrow(/ascending within \[0, 1\]/);
  });
});

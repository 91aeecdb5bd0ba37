import { describe, expect, it } from 'vitest';
import { latencyPercentilesUs, median, perSecond, ratio } from './bench.stats.js';

describe('latencyPercentilesUs', () => {
  it('sorts the samples and converts milliseconds to whole microseconds', () => {
    const samples = [0.5, 0.1, 0.4, 0.2, 0.3];
    expect(latencyPercentilesUs(samples)).toEqual({ p50Us: 300, p99Us: 496 });
  });

  it('does not reorder the caller array', () => {
    const samples = [3, 1, 2];
    latencyPercentilesUs(samples);
    expect(samples).toEqual([3, 1, 2]);
  });
});

describe('median', () => {
  it('takes the middle of an odd count and interpolates an even one', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('is NaN without values', () => {
    expect(median([])).toBeNaN();
  });
});

describe('perSecond and ratio', () => {
  it('rounds rates and ratios', () => {
    expect(perSecond(1000, 250)).toBe(4000);
    expect(perSecond(10, 0)).toBeNaN();
    expect(ratio(410, 300)).toBe(1.37);
    expect(ratio(1, 0)).toBeNaN();
  });
});

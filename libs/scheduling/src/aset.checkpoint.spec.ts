import { describe, expect, it } from 'vitest';
import { parseSafetyTiers } from './aset.checkpoint.js';
import { DEFAULT_SAFETY_TIERS } from './safety.shield.js';

describe('parseSafetyTiers', () => {
  it('reads off and comma-separated sigmas', () => {
    expect(parseSafetyTiers('off')).toEqual([]);
    expect(parseSafetyTiers(DEFAULT_SAFETY_TIERS.join(','))).toEqual([...DEFAULT_SAFETY_TIERS]);
    expect(parseSafetyTiers(' 3, 1.5 ,0')).toEqual([3, 1.5, 0]);
  });

  it('names the text it refuses', () => {
    for (const bad of ['', '4,,0', '4,-1', 'four', '4;2']) expect(() => parseSafetyTiers(bad), bad).toThrow(new RegExp(`safety tiers "${bad}"`));
  });
});

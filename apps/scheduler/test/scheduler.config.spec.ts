import { describe, expect, it } from 'vitest';
import { validateSchedulerEnv } from '../src/scheduler.config.js';

describe('scheduler configuration', () => {
  it('reads the aset-direct safety tiers: default, off, a list', () => {
    expect(validateSchedulerEnv({}).ASET_SAFETY_TIERS).toEqual([4, 2, 1, 0]);
    expect(validateSchedulerEnv({ ASET_SAFETY_TIERS: 'off' }).ASET_SAFETY_TIERS).toEqual([]);
    expect(validateSchedulerEnv({ ASET_SAFETY_TIERS: '3,0' }).ASET_SAFETY_TIERS).toEqual([3, 0]);
  });

  it('refuses bad safety tiers, naming the variable and the value', () => {
    expect(() => validateSchedulerEnv({ ASET_SAFETY_TIERS: '4,x' })).toThrow(/ASET_SAFETY_TIERS is "4,x": safety tiers "4,x": expected off or comma-separated non-negative numbers/);
  });
});

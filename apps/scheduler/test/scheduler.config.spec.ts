import { describe, expect, it } from 'vitest';
import { validateSchedulerEnv } from '../src/scheduler.config.js';

describe('scheduler configuration', () => {
  it('reads the aset-direct safety tiers: default, off, a list', () => {
    expect(validateSchedulerEnv({}).ASET_SAFETY_TIERS).toEqual([4, 2, 1, 0]);
    expect(validateSchedulerEnv({ ASET_SAFETY_TIERS: 'off' }).ASET_SAFETY_TIERS).toEqual([]);
    expect(validateSchedulerEnv({ ASET_SAFETY_TIERS: '3,0' }).ASET_SAFETY_TIERS).toEqual([3, 0]);
  });

  it('reads the liveness settings: HEARTBEAT_MS (default 500, as the workers) and LIVENESS_MISSED_HEARTBEATS (default 3)', () => {
    expect(validateSchedulerEnv({})).toMatchObject({ HEARTBEAT_MS: 500, LIVENESS_MISSED_HEARTBEATS: 3 });
    expect(validateSchedulerEnv({ HEARTBEAT_MS: '100', LIVENESS_MISSED_HEARTBEATS: '5' })).toMatchObject({ HEARTBEAT_MS: 100, LIVENESS_MISSED_HEARTBEATS: 5 });
  });

  it.each([
    ['HEARTBEAT_MS', '0', /HEARTBEAT_MS is "0": .*expected the workers' heartbeat period in ms \(their HEARTBEAT_MS\), an integer 50-60000/],
    ['HEARTBEAT_MS', 'fast', /HEARTBEAT_MS is "fast": .*expected the workers' heartbeat period/],
    ['HEARTBEAT_MS', '99.5', /HEARTBEAT_MS is "99.5": .*an integer 50-60000/],
    ['HEARTBEAT_MS', '60001', /HEARTBEAT_MS is "60001": /],
    ['LIVENESS_MISSED_HEARTBEATS', '0', /LIVENESS_MISSED_HEARTBEATS is "0": .*expected heartbeats a cluster may miss before the scheduler holds it to be down, a positive integer/],
    ['LIVENESS_MISSED_HEARTBEATS', '-2', /LIVENESS_MISSED_HEARTBEATS is "-2": .*a positive integer/],
    ['LIVENESS_MISSED_HEARTBEATS', '1.5', /LIVENESS_MISSED_HEARTBEATS is "1.5": .*a positive integer/],
    ['LIVENESS_MISSED_HEARTBEATS', 'three', /LIVENESS_MISSED_HEARTBEATS is "three": .*a positive integer/],
  ])('refuses %s=%s, naming the variable, the value and the expected form', (name, value, message) => {
    expect(() => validateSchedulerEnv({ [name]: value })).toThrow(message);
  });

  it('refuses bad safety tiers, naming the variable and the value', () => {
    expect(() => validateSchedulerEnv({ ASET_SAFETY_TIERS: '4,x' })).toThrow(/ASET_SAFETY_TIERS is "4,x": safety tiers "4,x": expected off or comma-separated non-negative numbers/);
  });
});

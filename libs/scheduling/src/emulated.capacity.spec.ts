import { describe, expect, it } from 'vitest';
import { emulatedCapacity } from './emulated.capacity.js';
import { repoPolicyContext } from './testing.js';

describe('emulatedCapacity', () => {
  it("sums slots over the cheapest eligible variant's emulated time, and the arrivals' offered rate", () => {
    const { scenario, catalog } = repoPolicyContext('overload');
    const { capacityPerSec, baseRatePerSec } = emulatedCapacity(scenario, catalog);
    // Two one-slot clusters, each running its cheapest variant meeting the accuracy floor.
    const expected = scenario.clusters.reduce((sum, _, c) => sum + 1000 / (catalog.cheapestMeeting(c, 'cluttered-digits', 0.9)?.processingMs ?? Infinity), 0);
    expect(capacityPerSec).toBeCloseTo(expected, 9);
    expect(capacityPerSec).toBeGreaterThan(0);
    expect(baseRatePerSec).toBe(scenario.spec.workload.arrivals.reduce((sum, a) => sum + (a.process.kind === 'poisson' ? a.process.ratePerSec : 0), 0));
  });

  it('refuses a scenario of several applications, naming it', () => {
    const { scenario, catalog } = repoPolicyContext('demo');
    expect(() => emulatedCapacity(scenario, catalog)).toThrow(/demo.yaml: capacity is defined only for a scenario with exactly one application.*it has 4/);
  });
});

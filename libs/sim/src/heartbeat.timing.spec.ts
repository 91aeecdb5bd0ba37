import { describe, expect, it } from 'vitest';
import { heartbeatTiming } from './heartbeat.timing.js';
import { scenarioFromYaml, syntheticZoo } from './testing.js';

const zoo = syntheticZoo([{ id: 'v', accuracy: 0.9, ms: 2 }]);
const scenario = scenarioFromYaml(
  `schemaVersion: 1
name: beats
hardwareClasses: { hw: { speedFactor: 1 } }
clusters:
  - { id: a, tier: far-edge, hardware: hw, slots: 1, variants: [v] }
  - { id: b, tier: cloud, hardware: hw, slots: 1, variants: [v] }
sources: [{ id: s }]
links:
  - { source: s, cluster: a, rttMs: 2, bandwidthMbps: 1000, jitterMs: 0 }
  - { source: s, cluster: b, rttMs: 20, bandwidthMbps: 1000, jitterMs: 0 }
applications: [{ id: app, task: t, slo: { maxLatencyMs: 15, minAccuracy: 0.5 } }]
workload: { queries: 10, arrivals: [{ source: s, app: app, process: { kind: poisson, ratePerSec: 100 } }] }`,
  zoo,
);

describe('heartbeatTiming', () => {
  const start = 1_700_000_000_000;

  it('takes the median interval as the period and each phase from the beat nearest the run start', () => {
    // a beats 120 ms after each period boundary, b 430 ms; b's timer drifts 3 ms late per beat.
    const a = [-880, -380, 120, 620, 1120, 1620].map((t) => start + t);
    const b = [-1070, -567, -64, 439, 942].map((t) => start + t);
    const timing = heartbeatTiming(scenario, new Map([['a', a], ['b', b]]), start);
    expect(timing.heartbeatMs).toBe(500);
    expect(timing.phasesMs[0]).toBeCloseTo(120, 9);
    expect(timing.phasesMs[1]).toBeCloseTo(436, 9);
  });

  it('names the clusters that did not beat twice', () => {
    expect(() => heartbeatTiming(scenario, new Map([['a', [start, start + 500]], ['b', [start]]]), start)).toThrow(/no two heartbeats from b$/);
  });
});

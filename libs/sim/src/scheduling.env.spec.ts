import { describe, expect, it } from 'vitest';
import { createPolicy } from '@aset/scheduling';
import { SchedulingEnv, runWithAgent } from './scheduling.env.js';
import { SummarySink } from './summary.sink.js';
import { scenarioFromYaml, syntheticZoo } from './testing.js';

const zoo = syntheticZoo([
  { id: 'fast', accuracy: 0.8, ms: 1 },
  { id: 'slow', accuracy: 0.95, ms: 5 },
]);
const scenario = scenarioFromYaml(
  `schemaVersion: 1
name: two
hardwareClasses: { hw: { speedFactor: 1 } }
clusters:
  - { id: near, tier: far-edge, hardware: hw, slots: 1, variants: [fast, slow] }
  - { id: far, tier: cloud, hardware: hw, slots: 8, variants: [fast, slow] }
sources: [{ id: s }]
links:
  - { source: s, cluster: near, rttMs: 1, bandwidthMbps: 1000, jitterMs: 0 }
  - { source: s, cluster: far, rttMs: 40, bandwidthMbps: 1000, jitterMs: 0 }
applications: [{ id: a, task: t, slo: { maxLatencyMs: 30, minAccuracy: 0.9 } }]
workload: { queries: 10, arrivals: [{ source: s, app: a, process: { kind: poisson, ratePerSec: 150 } }] }`,
  zoo,
);

describe('SchedulingEnv (Gym-like)', () => {
  it('steps once per query, rewards the fraction of ended queries that met the SLO, and ends', () => {
    const env = new SchedulingEnv({ scenario, zoo, seed: 4, queries: 500, policy: (ctx) => createPolicy('closest', ctx) });
    let state = env.reset();
    let steps = 0;
    let ended = 0;
    let met = 0;
    while (state) {
      const near = env.simulation.catalog.cheapestMeeting(0, state.query.task, state.query.slo.minAccuracy)!;
      const r = env.step({ kind: 'dispatch', clusterIndex: 0, variantId: near.variant.id });
      expect(r.reward).toBeGreaterThanOrEqual(0);
      expect(r.reward).toBeLessThanOrEqual(1);
      ended += r.info.ended;
      met += r.info.sloMet;
      steps++;
      state = r.state;
    }
    expect(steps).toBe(500);
    expect(ended).toBe(500);
    // 150/s against one 5 ms slot (rho 0.75): mostly in time, not always.
    expect(met / ended).toBeGreaterThan(0.5);
    expect(met / ended).toBeLessThan(1);
  });

  it('replays an episode for the same seed and differs for another', () => {
    const env = new SchedulingEnv({ scenario, zoo, seed: 1, queries: 50, policy: (ctx) => createPolicy('closest', ctx) });
    const times = (seed: number) => {
      const out: number[] = [];
      let s = env.reset(seed);
      while (s) {
        out.push(s.query.createdAt);
        s = env.step({ kind: 'drop', reason: 'QUEUE_FULL', detail: 'test' }).state;
      }
      return out;
    };
    expect(times(3)).toEqual(times(3));
    expect(times(3)).not.toEqual(times(5));
  });

  it('refuses a placement on a variant the cluster does not host', () => {
    const env = new SchedulingEnv({ scenario, zoo, seed: 1, queries: 5, policy: (ctx) => createPolicy('closest', ctx) });
    env.reset();
    expect(() => env.step({ kind: 'dispatch', clusterIndex: 0, variantId: 'nope' })).toThrow(/does not host/);
  });
});

describe('runWithAgent (Park-like)', () => {
  it('calls the agent for every query and records each outcome once', () => {
    const sink = new SummarySink();
    let calls = 0;
    const n = runWithAgent({ scenario, zoo, seed: 2, queries: 300, sink }, (query, observation) => {
      calls++;
      expect(observation.now).toBe(query.createdAt);
      return { kind: 'dispatch', clusterIndex: 1, variantId: 'slow' };
    });
    expect(n).toBe(300);
    expect(calls).toBe(300);
    // Always the far cluster: 40 ms RTT against a 30 ms deadline.
    expect(sink.summary()).toMatchObject({ queries: 300, completed: 300, sloMet: 0 });
  });
});

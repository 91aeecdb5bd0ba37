import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readZoo, type ModelZoo } from '@aset/model-zoo';
import { REPO_MANIFEST } from '@aset/model-zoo/testing';
import { readScenarioFile, type Scenario } from '@aset/scenario';
import { POLICY_LAB_SCENARIO, REPO_SCENARIOS } from '@aset/scenario/testing';
import { PlacementCatalog, createPolicy } from '@aset/scheduling';
import { CapacityBoundSink, isStationaryScenario, type CapacityBound, type CapacityBoundOptions } from './capacity-bound.sink.js';
import { Simulation } from './simulation.js';
import { FanOutSink, SummarySink } from './summary.sink.js';
import { UpperBoundSink } from './upper-bound.sink.js';
import { scenarioFromYaml, syntheticZoo } from './testing.js';

interface BoundRun {
  success: number;
  upper: number;
  bound: CapacityBound;
}

/** Simulates `policy` and returns its success ratio with both bounds over the same arrivals. */
async function simulate(
  scenario: Scenario,
  zoo: ModelZoo,
  opts: { policy?: string; queries: number; warmupQueries?: number; rateScale?: number; seed?: number; bound?: CapacityBoundOptions },
): Promise<BoundRun> {
  const catalog = new PlacementCatalog(scenario, zoo);
  const summary = new SummarySink();
  const upper = new UpperBoundSink(catalog);
  const capacity = new CapacityBoundSink(catalog, opts.bound);
  new Simulation({
    scenario,
    zoo,
    seed: opts.seed ?? 1,
    queries: opts.queries,
    warmupQueries: opts.warmupQueries ?? 0,
    rateScale: opts.rateScale ?? 1,
    policy: (ctx) => createPolicy(opts.policy ?? 'closest', ctx),
    sink: new FanOutSink([summary, upper, capacity]),
  }).run();
  const bound = await capacity.solve();
  expect(capacity.ratio).toBe(bound.ratio);
  return { success: summary.summary().successRatio, upper: upper.ratio, bound };
}

const synthetic = syntheticZoo([
  { id: 'fast', accuracy: 0.8, ms: 1 },
  { id: 'slow', accuracy: 0.95, ms: 5 },
]);

/** One source, one cluster with `slots` slots hosting `fast` (1 ms) and `slow` (5 ms), both scaled by `speed`; no network time. */
function oneCluster(o: { slots: number; speed: number; rate: number; minAccuracy: number; maxLatencyMs: number }): Scenario {
  return scenarioFromYaml(
    `schemaVersion: 1
name: one
hardwareClasses: { hw: { speedFactor: ${o.speed} } }
clusters: [{ id: c, tier: cloud, hardware: hw, slots: ${o.slots}, variants: [fast, slow] }]
sources: [{ id: s }]
links: [{ source: s, cluster: c, rttMs: 0, bandwidthMbps: 1000000, jitterMs: 0 }]
applications: [{ id: a, task: t, slo: { maxLatencyMs: ${o.maxLatencyMs}, minAccuracy: ${o.minAccuracy} }, payloadBytes: 1, replyBytes: 1 }]
workload: { queries: 10, arrivals: [{ source: s, app: a, process: { kind: poisson, ratePerSec: ${o.rate} } }] }`,
    synthetic,
  );
}

describe('CapacityBoundSink', () => {
  describe('on the committed zoo and scenarios', () => {
    let zoo: ModelZoo;
    beforeAll(() => {
      zoo = readZoo(REPO_MANIFEST);
    });

    it('equals the no-contention bound when capacity is ample (stationary: one window)', async () => {
      const scenario = readScenarioFile(POLICY_LAB_SCENARIO, { zoo });
      expect(isStationaryScenario(scenario)).toBe(true);
      const run = await simulate(scenario, zoo, { queries: 20_000, warmupQueries: 200 });
      expect(run.bound.windows).toHaveLength(1);
      expect(run.bound.offeredQueries).toBe(20_000);
      expect(run.bound.ratio).toBeCloseTo(run.upper, 9);
    });

    it('equals the no-contention bound when capacity is ample, window by window through a link degradation', async () => {
      // Metro links degrade from 6 s to 21 s: some streams lose every placement meeting their deadline.
      const scenario = readScenarioFile(join(REPO_SCENARIOS, 'suite', 'network-degradation.yaml'), { zoo });
      expect(isStationaryScenario(scenario)).toBe(false);
      const run = await simulate(scenario, zoo, { queries: 60_000, rateScale: 0.08, seed: 3 });
      expect(run.upper).toBeLessThan(0.99);
      expect(run.bound.windows.length).toBeGreaterThan(15);
      expect(run.bound.ratio).toBeCloseTo(run.upper, 9);
    }, 120_000);

    it('lies between every policy and the no-contention bound on a loaded run, and below the latter when slots run short', async () => {
      // policy-lab at 4000x its rate (~480k queries/s): the 20 ms application can only use the three edge clusters.
      const scenario = readScenarioFile(POLICY_LAB_SCENARIO, { zoo });
      const runs: BoundRun[] = [];
      for (const policy of ['closest', 'latency-aware', 'round-robin', 'least-loaded']) {
        const run = await simulate(scenario, zoo, { policy, queries: 150_000, rateScale: 4000 });
        expect(run.success, policy).toBeLessThanOrEqual(run.bound.ratio + 1e-9);
        expect(run.bound.ratio, policy).toBeLessThanOrEqual(run.upper + 1e-9);
        runs.push(run);
      }
      // The bound depends on the arrivals, not on the policy.
      for (const run of runs) expect(run.bound.ratio).toBe((runs[0] as BoundRun).bound.ratio);
      const { bound, upper } = runs[0] as BoundRun;
      expect(upper).toBe(1);
      expect(bound.ratio).toBeLessThan(0.95);
      expect(bound.ratio).toBeGreaterThan(0.5);
    }, 120_000);
  });

  describe('hand-computed cases (synthetic zoo)', () => {
    it('one cluster: serves slots / processing time per ms of the measured span (plus one deadline of carry)', async () => {
      // 2 slots x 5 ms (slow, the only variant meeting 0.9): 400 queries/s against 1000/s offered.
      const scenario = oneCluster({ slots: 2, speed: 1, rate: 1000, minAccuracy: 0.9, maxLatencyMs: 50 });
      const { bound, upper } = await simulate(scenario, synthetic, { queries: 20_000, warmupQueries: 500 });
      expect(upper).toBe(1);
      expect(bound.offeredQueries).toBe(20_000);
      const [w] = bound.windows as [CapacityBound['windows'][number]];
      const exact = (2 * (w.toMs - w.fromMs + 50)) / 5;
      expect(bound.servedQueries).toBeCloseTo(exact, 6);
      expect(bound.ratio).toBeCloseTo(exact / 20_000, 9);
      // min(1, capacity / rate), up to Poisson noise in the span and the 50 ms carry over ~20 s.
      expect(Math.abs(bound.ratio - 0.4)).toBeLessThan(0.01);
    });

    it('scales processing by the hardware speed factor, uses the cheapest variant meeting the floor, and caps at 1', async () => {
      const slow = await simulate(oneCluster({ slots: 2, speed: 2, rate: 1000, minAccuracy: 0.9, maxLatencyMs: 50 }), synthetic, { queries: 20_000 });
      expect(Math.abs(slow.bound.ratio - 0.2)).toBeLessThan(0.01);
      // With a 0.5 floor the 1 ms variant qualifies: 2000/s of capacity for 1000/s.
      const cheap = await simulate(oneCluster({ slots: 2, speed: 1, rate: 1000, minAccuracy: 0.5, maxLatencyMs: 50 }), synthetic, { queries: 20_000 });
      expect(cheap.bound.ratio).toBeCloseTo(1, 9);
      const light = await simulate(oneCluster({ slots: 2, speed: 1, rate: 300, minAccuracy: 0.9, maxLatencyMs: 50 }), synthetic, { queries: 5_000 });
      expect(light.bound.ratio).toBeCloseTo(1, 9);
    });

    it('serves nothing that fails the latency test', async () => {
      const { bound, upper } = await simulate(oneCluster({ slots: 2, speed: 1, rate: 100, minAccuracy: 0.9, maxLatencyMs: 4 }), synthetic, { queries: 1_000 });
      expect(upper).toBe(0);
      expect(bound.ratio).toBe(0);
      expect(bound.offeredQueries).toBe(1_000);
    });

    it('reports nothing before solve, and nothing offered without records', async () => {
      const sink = new CapacityBoundSink(new PlacementCatalog(oneCluster({ slots: 1, speed: 1, rate: 1, minAccuracy: 0.5, maxLatencyMs: 50 }), synthetic));
      expect(() => sink.ratio).toThrow(/await solve\(\)/);
      expect(await sink.solve()).toMatchObject({ ratio: 0, offeredQueries: 0, servedQueries: 0, windows: [] });
    });
  });

  describe('windows', () => {
    const zoo = syntheticZoo([{ id: 'v', accuracy: 0.9, ms: 2 }]);
    /** Clusters a and b, 2 slots x 2 ms each (1000 queries/s each), both within the deadline; 1500 queries/s offered. */
    const twoClusters = (dynamics: string) =>
      scenarioFromYaml(
        `schemaVersion: 1
name: windows
hardwareClasses: { hw: { speedFactor: 1 } }
clusters:
  - { id: a, tier: far-edge, hardware: hw, slots: 2, variants: [v] }
  - { id: b, tier: cloud, hardware: hw, slots: 2, variants: [v] }
sources: [{ id: s }]
links:
  - { source: s, cluster: a, rttMs: 2, bandwidthMbps: 1000000, jitterMs: 0 }
  - { source: s, cluster: b, rttMs: 4, bandwidthMbps: 1000000, jitterMs: 0 }
applications: [{ id: app, task: t, slo: { maxLatencyMs: 20, minAccuracy: 0.5 }, payloadBytes: 1, replyBytes: 1 }]
workload: { queries: 10, arrivals: [{ source: s, app: app, process: { kind: poisson, ratePerSec: 1500 } }] }
dynamics: ${dynamics}`,
        zoo,
      );

    it('an outage removes its cluster from the windows it covers only, with window edges at its start and end', async () => {
      const { bound } = await simulate(twoClusters('[{ kind: outage, clusters: [a], startSec: 10.5, durationSec: 4 }]'), zoo, { queries: 30_000 });
      const edges = bound.windows.map((w) => w.fromMs);
      expect(edges).toContain(10_500);
      expect(edges).toContain(14_500);
      expect(bound.windows.some((w) => w.fromMs === 10_000 && w.toMs === 10_500)).toBe(true);
      const inOutage = bound.windows.filter((w) => w.fromMs >= 10_500 && w.toMs <= 14_500);
      const outside = bound.windows.filter((w) => w.toMs <= 10_500 || w.fromMs >= 14_500);
      expect(inOutage).toHaveLength(5);
      expect(inOutage.length + outside.length).toBe(bound.windows.length);
      // Outside the outage a and b (2000/s) serve everything offered (1500/s).
      for (const w of outside) expect(w.served, JSON.stringify(w)).toBeCloseTo(w.offered, 6);
      // Inside, only b's 2 slots x 2 ms: one query per ms, give or take the carry (2 slots x 20 ms / 2 ms = 20 queries each way).
      for (const w of inOutage) {
        expect(w.offered).toBeGreaterThan(1.2 * (w.toMs - w.fromMs));
        expect(Math.abs(w.served - (w.toMs - w.fromMs)), JSON.stringify(w)).toBeLessThanOrEqual(20 + 1e-6);
      }
      const offered = inOutage.reduce((a, w) => a + w.offered, 0);
      const served = inOutage.reduce((a, w) => a + w.served, 0);
      expect(Math.abs(served - 4000)).toBeLessThanOrEqual(20 + 1e-6);
      expect(bound.servedQueries).toBeCloseTo(bound.offeredQueries - offered + served, 6);
    });

    it('without dynamics, fixed windows on request and one window by default serve the same ample load', async () => {
      const scenario = twoClusters('[]');
      expect(isStationaryScenario(scenario)).toBe(true);
      const single = await simulate(scenario, zoo, { queries: 15_000 });
      const fixed = await simulate(scenario, zoo, { queries: 15_000, bound: { windowMs: 500 } });
      expect(single.bound.windows).toHaveLength(1);
      expect(fixed.bound.windows.length).toBeGreaterThanOrEqual(19);
      expect(fixed.bound.windows.every((w) => w.toMs - w.fromMs <= 500)).toBe(true);
      expect(single.bound.ratio).toBeCloseTo(1, 9);
      expect(fixed.bound.ratio).toBeCloseTo(1, 9);
    });

    it('finer windows follow a load swing that one window would average away', async () => {
      // 3000/s for 5 s, then 500/s: 2000/s of capacity is short in the burst only.
      const scenario = scenarioFromYaml(
        `schemaVersion: 1
name: burst
hardwareClasses: { hw: { speedFactor: 1 } }
clusters: [{ id: a, tier: far-edge, hardware: hw, slots: 4, variants: [v] }]
sources: [{ id: s }]
links: [{ source: s, cluster: a, rttMs: 2, bandwidthMbps: 1000000, jitterMs: 0 }]
applications: [{ id: app, task: t, slo: { maxLatencyMs: 20, minAccuracy: 0.5 }, payloadBytes: 1, replyBytes: 1 }]
workload:
  queries: 10
  arrivals: [{ source: s, app: app, process: { kind: poisson, ratePerSec: 500 } }]
  modulation: { kind: flash-crowd, startSec: 0, rampSec: 0, durationSec: 5, peakMultiplier: 6 }`,
        zoo,
      );
      expect(isStationaryScenario(scenario)).toBe(false);
      const { bound } = await simulate(scenario, zoo, { queries: 20_000 });
      // ~15000 offered in the burst, at most ~10000 served; everything after it.
      const burst = bound.windows.filter((w) => w.toMs <= 5000);
      expect(burst.reduce((a, w) => a + w.served, 0)).toBeLessThan(10_100);
      expect(burst.reduce((a, w) => a + w.offered, 0)).toBeGreaterThan(14_000);
      for (const w of bound.windows.filter((x) => x.fromMs >= 5000)) expect(w.served).toBeCloseTo(w.offered, 6);
      const averaged = await simulate(scenario, zoo, { queries: 20_000, bound: { windowMs: 1e9 } });
      expect(averaged.bound.ratio).toBeCloseTo(1, 9);
      expect(bound.ratio).toBeLessThan(0.85);
    });
  });
});

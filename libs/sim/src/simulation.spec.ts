import { describe, expect, it } from 'vitest';
import { QueryRecordSchema } from '@aset/contracts';
import { PlacementCatalog, createPolicy, outcomeOf, type QueryOutcome } from '@aset/scheduling';
import { Simulation, type SimulationOptions } from './simulation.js';
import { SummarySink } from './summary.sink.js';
import { toQueryRecord, type RecordSink, type SimRecord } from './sim.record.js';
import { scenarioFromYaml, syntheticZoo } from './testing.js';

const zoo = syntheticZoo([
  { id: 'fast', accuracy: 0.8, ms: 1 },
  { id: 'slow', accuracy: 0.95, ms: 5 },
]);

/** One source, one cluster with one slot; `speed` scales the 5 ms variant. */
function singleServer(opts: { rate: number; speed: number; slots?: number; rtt?: number; jitter?: number; minAccuracy?: number; maxLatencyMs?: number }) {
  return scenarioFromYaml(
    `
schemaVersion: 1
name: single
hardwareClasses: { hw: { speedFactor: ${opts.speed} } }
clusters: [{ id: c, tier: cloud, hardware: hw, slots: ${opts.slots ?? 1}, variants: [fast, slow] }]
sources: [{ id: s }]
links: [{ source: s, cluster: c, rttMs: ${opts.rtt ?? 0}, bandwidthMbps: 1000000, jitterMs: ${opts.jitter ?? 0} }]
applications: [{ id: a, task: t, slo: { maxLatencyMs: ${opts.maxLatencyMs ?? 1000}, minAccuracy: ${opts.minAccuracy ?? 0.9} }, payloadBytes: 1, replyBytes: 1 }]
workload: { queries: 10, arrivals: [{ source: s, app: a, process: { kind: poisson, ratePerSec: ${opts.rate} } }] }
`,
    zoo,
  );
}

class Collect implements RecordSink {
  readonly records: SimRecord[] = [];
  onRecord(r: SimRecord): void {
    this.records.push({ ...r });
  }
}

const run = (options: Omit<SimulationOptions, 'zoo' | 'sink' | 'policy'> & { policy?: string }) => {
  const collect = new Collect();
  const sim = new Simulation({ zoo, sink: collect, ...options, policy: (ctx) => createPolicy(options.policy ?? 'closest', ctx) });
  sim.run();
  return collect.records;
};

describe('Simulation', () => {
  it('matches M/D/1 queueing theory: mean latency = D + rho * D / (2 (1 - rho))', () => {
    // Service D = 5 ms x speed 2 = 10 ms, arrivals 70/s: rho = 0.7, mean wait 11.67 ms.
    const records = run({ scenario: singleServer({ rate: 70, speed: 2 }), seed: 3, queries: 200_000, warmupQueries: 2000, observation: 'exact' });
    const measured = records.filter((r) => !r.warmup);
    const mean = measured.reduce((a, r) => a + r.latencyMs, 0) / measured.length;
    const expected = 10 + (0.7 * 10) / (2 * (1 - 0.7));
    expect(Math.abs(mean - expected) / expected).toBeLessThan(0.03);
    expect(measured.every((r) => Math.abs(r.finishedAt - r.startedAt - 10) < 1e-9)).toBe(true);
  });

  it('ends every query exactly once, in a valid live record, and excludes warm-up from summaries', () => {
    const scenario = singleServer({ rate: 200, speed: 1, slots: 2, rtt: 10, jitter: 1 });
    const records = run({ scenario, seed: 1, queries: 5000, warmupQueries: 100 });
    expect(records).toHaveLength(5100);
    expect(new Set(records.map((r) => r.queryIndex)).size).toBe(5100);
    expect(records.filter((r) => r.warmup)).toHaveLength(100);
    for (const r of records.slice(0, 50)) expect(QueryRecordSchema.safeParse(toQueryRecord(r, 'sim-run', scenario)).success).toBe(true);
    const sink = new SummarySink();
    new Simulation({ scenario, zoo, seed: 1, queries: 5000, warmupQueries: 100, sink, policy: (ctx) => createPolicy('closest', ctx) }).run();
    expect(sink.summary().queries).toBe(5000);
  });

  it('feeds a learning policy the outcome built from each live record, under the live query id', () => {
    const scenario = singleServer({ rate: 400, speed: 1, rtt: 2, jitter: 1 });
    const decided: string[] = [];
    const observed: QueryOutcome[] = [];
    const collect = new Collect();
    new Simulation({
      scenario,
      zoo,
      seed: 3,
      queries: 300,
      sink: collect,
      policy: (ctx) => {
        const closest = createPolicy('closest', ctx);
        return { name: 'learner', decide: (q, o) => (decided.push(q.queryId), closest.decide(q, o)), observeOutcome: (o) => observed.push(o) };
      },
    }).run();
    expect(observed.map((o) => o.queryId)).toEqual(collect.records.map((r) => toQueryRecord(r, 'sim', scenario).queryId));
    expect(new Set(decided)).toEqual(new Set(observed.map((o) => o.queryId)));
    expect(decided[42]).toBe('q0000042');
    collect.records.forEach((r, i) => expect(observed[i]).toEqual(outcomeOf(toQueryRecord(r, 'sim', scenario), scenario)));
    expect(observed.filter((o) => o.sloMet).length).toBe(collect.records.filter((r) => r.sloMet).length);
  });

  it('gives the same records to runs sharing one catalog as to runs with their own, and refuses a catalog of another scenario', () => {
    const scenario = singleServer({ rate: 300, speed: 1, slots: 2, rtt: 5, jitter: 1 });
    const catalog = new PlacementCatalog(scenario, zoo);
    for (const policy of ['closest', 'shielded-greedy']) {
      const own = run({ scenario, policy, seed: 4, queries: 2000 });
      expect(run({ scenario, policy, seed: 4, queries: 2000, catalog })).toEqual(own);
      expect(run({ scenario, policy, seed: 4, queries: 2000, catalog })).toEqual(own);
    }
    const other = singleServer({ rate: 300, speed: 1 });
    expect(() => run({ scenario: other, seed: 1, queries: 10, catalog })).toThrow(/catalog of another scenario or zoo/);
  });

  it('applies the link model: mean network time = RTT + transfers, spread from jitter', () => {
    const records = run({ scenario: singleServer({ rate: 50, speed: 1, rtt: 20, jitter: 2 }), seed: 2, queries: 20_000 });
    const net = records.map((r) => r.emulatedNetworkMs);
    const mean = net.reduce((a, b) => a + b, 0) / net.length;
    const sd = Math.sqrt(net.reduce((a, b) => a + (b - mean) ** 2, 0) / net.length);
    expect(mean).toBeCloseTo(20, 0);
    expect(sd / (Math.SQRT2 * 2)).toBeGreaterThan(0.95);
    expect(sd / (Math.SQRT2 * 2)).toBeLessThan(1.05);
  });

  it('is deterministic for a seed', () => {
    const scenario = singleServer({ rate: 150, speed: 1, slots: 1, rtt: 5, jitter: 1 });
    const a = run({ scenario, seed: 7, queries: 3000 }).map((r) => r.latencyMs);
    const b = run({ scenario, seed: 7, queries: 3000 }).map((r) => r.latencyMs);
    const c = run({ scenario, seed: 8, queries: 3000 }).map((r) => r.latencyMs);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('judges the SLO on latency and accuracy, drops what no variant can serve, and times out late replies', () => {
    const tight = run({ scenario: singleServer({ rate: 50, speed: 1, maxLatencyMs: 4 }), seed: 1, queries: 1000 });
    expect(tight.every((r) => r.status === 'completed' && !r.sloMet)).toBe(true);
    const infeasible = run({ scenario: singleServer({ rate: 50, speed: 1, minAccuracy: 0.99 }), seed: 1, queries: 100 });
    expect(infeasible.every((r) => r.status === 'dropped' && r.reason === 'NO_FEASIBLE_OPTION')).toBe(true);
    // 400/s against a 5 ms single slot: the queue grows without bound.
    const overloaded = run({ scenario: singleServer({ rate: 400, speed: 1 }), seed: 1, queries: 20_000, replyTimeoutMs: 1000 });
    const late = overloaded.filter((r) => r.status === 'timed_out');
    expect(late.length).toBeGreaterThan(1000);
    expect(late.every((r) => Math.abs(r.latencyMs - 1000) < 1e-9 && !r.sloMet)).toBe(true);
  });

  it('refuses variants without a latency profile', () => {
    const unprofiled = syntheticZoo([{ id: 'fast', accuracy: 0.8, ms: 1 }]);
    (unprofiled.manifest.variants[0] as { latencyMs?: unknown }).latencyMs = undefined;
    const scenario = scenarioFromYaml(
      `schemaVersion: 1
name: x
hardwareClasses: { hw: { speedFactor: 1 } }
clusters: [{ id: c, tier: cloud, hardware: hw, slots: 1, variants: [fast] }]
sources: [{ id: s }]
links: [{ source: s, cluster: c, rttMs: 1, bandwidthMbps: 10, jitterMs: 0 }]
applications: [{ id: a, task: t, slo: { maxLatencyMs: 10, minAccuracy: 0.5 } }]
workload: { queries: 1, arrivals: [{ source: s, app: a, process: { kind: poisson, ratePerSec: 1 } }] }`,
      unprofiled,
    );
    expect(() => new Simulation({ scenario, zoo: unprofiled, seed: 1, queries: 1, sink: new SummarySink(), policy: (ctx) => createPolicy('closest', ctx) })).toThrow(
      /variants without a latency profile .*: fast\. Run npm run zoo:profile/,
    );
  });
});

import { describe, expect, it } from 'vitest';
import { QueryRecordSchema } from '@aset/contracts';
import { DeadlineAdmission, createPolicy } from '@aset/scheduling';
import { Simulation } from './simulation.js';
import { toQueryRecord, type RecordSink, type SimRecord } from './sim.record.js';
import { scenarioFromYaml, syntheticZoo } from './testing.js';

const zoo = syntheticZoo([{ id: 'v', accuracy: 0.95, ms: 5 }]);

/**
 * One source, one one-slot cluster serving in 10 ms (5 ms x speed 2), arrivals at twice that
 * capacity; `maxQueue` when given.
 */
function overloaded(opts: { maxQueue?: number; maxLatencyMs?: number; rate?: number }) {
  return scenarioFromYaml(
    `
schemaVersion: 1
name: overloaded
hardwareClasses: { hw: { speedFactor: 2 } }
clusters: [{ id: c, tier: cloud, hardware: hw, slots: 1, ${opts.maxQueue === undefined ? '' : `maxQueue: ${opts.maxQueue},`} variants: [v] }]
sources: [{ id: s }]
links: [{ source: s, cluster: c, rttMs: 2, bandwidthMbps: 1000000, jitterMs: 0.2 }]
applications: [{ id: a, task: t, slo: { maxLatencyMs: ${opts.maxLatencyMs ?? 1000}, minAccuracy: 0.9 }, payloadBytes: 1, replyBytes: 1 }]
workload: { queries: 10, replyTimeoutMs: 100000, arrivals: [{ source: s, app: a, process: { kind: poisson, ratePerSec: ${opts.rate ?? 200} } }] }
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

function simulate(scenario: ReturnType<typeof overloaded>, options: { admission?: boolean; queries?: number } = {}) {
  const sink = new Collect();
  const sim = new Simulation({ scenario, zoo, sink, seed: 5, queries: options.queries ?? 4000, policy: (ctx) => createPolicy('closest', ctx), admission: options.admission ?? false });
  sim.run();
  return sink.records;
}

/** Each query's wait for its slot: from its arrival at the cluster (dispatch + the request's share of the network time is at most the dispatch + rtt) to its start. */
const waits = (records: SimRecord[]) => records.filter((r) => r.status === 'completed').map((r) => r.startedAt - r.dispatchedAt);

describe('the simulator under overload', () => {
  it('bounds the queue as the workers do: a query finding the slot busy and maxQueue waiting is refused at once, recorded dropped with QUEUE_FULL', () => {
    const bounded = simulate(overloaded({ maxQueue: 3 }));
    const unbounded = simulate(overloaded({}));
    for (const records of [bounded, unbounded]) {
      expect(records).toHaveLength(4000);
      expect(new Set(records.map((r) => r.queryIndex)).size).toBe(4000);
    }
    const refused = bounded.filter((r) => r.status === 'dropped');
    // At twice the capacity about half the queries are shed, and only by the queue bound.
    expect(refused.length).toBeGreaterThan(1000);
    expect(refused.every((r) => r.reason === 'QUEUE_FULL' && r.clusterIndex === 0 && r.hosted?.variant.id === 'v')).toBe(true);
    // Admitted queries wait behind at most the one running and three queued: 4 x 10 ms (plus the request's flight).
    expect(Math.max(...waits(bounded))).toBeLessThanOrEqual(40 + 2);
    expect(unbounded.some((r) => r.status === 'dropped')).toBe(false);
    expect(Math.max(...waits(unbounded))).toBeGreaterThan(1000);
  });

  it('a refusal is a valid live record: dropped, reason QUEUE_FULL, the cluster and variant named, not served', () => {
    const scenario = overloaded({ maxQueue: 0 });
    const r = simulate(scenario, { queries: 200 }).find((x) => x.status === 'dropped') as SimRecord;
    const record = QueryRecordSchema.parse(toQueryRecord(r, 'run-1', scenario));
    expect(record).toMatchObject({ status: 'dropped', reason: 'QUEUE_FULL', clusterId: 'c', variantId: 'v', startedAt: null, sloMet: false });
  });

  it('the admission rule (on the heartbeat snapshots a policy sees) refuses only queries that would have missed their deadline', () => {
    // Near capacity (rho 0.95): the queue comes and goes, so some queries meet the SLO and some cannot.
    const scenario = overloaded({ maxLatencyMs: 80, rate: 95 });
    const sink = new Collect();
    const sim = new Simulation({ scenario, zoo, sink, seed: 9, queries: 3000, policy: (ctx) => createPolicy('closest', ctx) });
    const admission = new DeadlineAdmission(sim.catalog);
    const refusable = new Set<number>();
    while (sim.nextDecision()) {
      if (admission.check(sim.pendingQuery, sim.currentObservation)) refusable.add(sim.progress.sent);
      sim.apply(sim.policy.decide(sim.pendingQuery, sim.currentObservation));
    }
    const byIndex = new Map(sink.records.map((r) => [r.queryIndex, r]));
    expect(refusable.size).toBeGreaterThan(100);
    expect([...refusable].filter((i) => byIndex.get(i)?.sloMet)).toEqual([]);
    expect(sink.records.filter((r) => r.sloMet).length).toBeGreaterThan(100);
  });

  it('with admission on, drops at once with DEADLINE_UNREACHABLE what no live cluster can answer in time, and still ends every query once', () => {
    const scenario = overloaded({ maxLatencyMs: 80 });
    const on = simulate(scenario, { admission: true });
    const off = simulate(scenario, { admission: false });
    expect(on).toHaveLength(4000);
    expect(new Set(on.map((r) => r.queryIndex)).size).toBe(4000);
    const dropped = on.filter((r) => r.status === 'dropped');
    expect(dropped.length).toBeGreaterThan(100);
    expect(dropped.every((r) => r.reason === 'DEADLINE_UNREACHABLE' && r.clusterIndex === -1 && r.completedAt === r.createdAt)).toBe(true);
    expect(off.some((r) => r.status === 'dropped')).toBe(false);
    // Shedding what cannot make it keeps the queue short for what can.
    expect(on.filter((r) => r.sloMet).length).toBeGreaterThan(off.filter((r) => r.sloMet).length);
  });
});

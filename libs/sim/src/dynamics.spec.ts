import { describe, expect, it } from 'vitest';
import { createPolicy } from '@aset/scheduling';
import { Simulation } from './simulation.js';
import type { RecordSink, SimRecord } from './sim.record.js';
import { scenarioFromYaml, syntheticZoo } from './testing.js';

const zoo = syntheticZoo([{ id: 'v', accuracy: 0.9, ms: 2 }]);

function scenario(dynamics: string) {
  return scenarioFromYaml(
    `schemaVersion: 1
name: dyn
hardwareClasses: { hw: { speedFactor: 1 } }
clusters:
  - { id: a, tier: far-edge, hardware: hw, slots: 4, variants: [v] }
  - { id: b, tier: cloud, hardware: hw, slots: 4, variants: [v] }
sources: [{ id: s }]
links:
  - { source: s, cluster: a, rttMs: 2, bandwidthMbps: 1000, jitterMs: 0 }
  - { source: s, cluster: b, rttMs: 20, bandwidthMbps: 1000, jitterMs: 0 }
applications: [{ id: app, task: t, slo: { maxLatencyMs: 15, minAccuracy: 0.5 }, payloadBytes: 1, replyBytes: 1 }]
workload: { queries: 10, replyTimeoutMs: 500, arrivals: [{ source: s, app: app, process: { kind: poisson, ratePerSec: 100 } }] }
dynamics: ${dynamics}`,
    zoo,
  );
}

function run(yamlDynamics: string, policy = 'closest'): SimRecord[] {
  const records: SimRecord[] = [];
  const sink: RecordSink = { onRecord: (r) => records.push({ ...r }) };
  new Simulation({ scenario: scenario(yamlDynamics), zoo, seed: 1, queries: 3000, policy: (ctx) => createPolicy(policy, ctx), sink }).run();
  return records;
}

const inWindow = (r: SimRecord, fromSec: number, toSec: number) => r.createdAt >= fromSec * 1000 && r.createdAt < toSec * 1000;

describe('heartbeat phases', () => {
  /** Every change of the observed state between two decisions, with the decision times around it. */
  function observedChanges(phasesMs?: number[]): { cluster: number; after: number; at: number }[] {
    const changes: { cluster: number; after: number; at: number }[] = [];
    let last: { now: number; seen: number[] } | undefined;
    new Simulation({
      scenario: scenario('[]'),
      zoo,
      seed: 3,
      queries: 2000,
      observation: { heartbeatMs: 100, ...(phasesMs ? { phasesMs } : {}) },
      policy: (ctx) => {
        const closest = createPolicy('closest', ctx);
        return {
          name: 'recorder',
          decide(query, observation) {
            const seen = observation.clusters.map((c) => c.busySlots * 1000 + c.queueLength);
            if (last) seen.forEach((v, c) => v !== last?.seen[c] && changes.push({ cluster: c, after: last?.now ?? 0, at: observation.now }));
            last = { now: observation.now, seen };
            return closest.decide(query, observation);
          },
        };
      },
      sink: { onRecord: () => {} },
    }).run();
    return changes;
  }
  const snapshotBetween = (phase: number, from: number, to: number) => Math.floor((to - phase) / 100) * 100 + phase > from;

  it('the view of a cluster changes only at its given phase plus whole heartbeat periods', () => {
    const changes = observedChanges([37, 81]);
    expect(changes.filter((c) => c.cluster === 0).length).toBeGreaterThan(20);
    for (const c of changes) expect(snapshotBetween(c.cluster === 0 ? 37 : 81, c.after, c.at), JSON.stringify(c)).toBe(true);
  });

  it('rejects phases that do not fit the clusters or the period, naming the cluster', () => {
    expect(() => observedChanges([10])).toThrow(/1 phases for the 2 clusters/);
    expect(() => observedChanges([10, 100])).toThrow(/phasesMs\[1\] \(cluster b\): 100 is not in \[0, 100\)/);
  });
});

describe('scenario dynamics in the simulator', () => {
  it('an outage loses only what was already sent to the dark cluster; later queries go elsewhere until its next heartbeat', () => {
    const records = run('[{ kind: outage, clusters: [a], startSec: 10, durationSec: 5 }]');
    const during = records.filter((r) => inWindow(r, 10.1, 14.9));
    // Heartbeats every 500 ms: a is seen alive again from its first heartbeat after 15 s.
    const after = records.filter((r) => inWindow(r, 15.6, 25));
    const lost = records.filter((r) => r.status === 'timed_out');
    expect(during.length).toBeGreaterThan(300);
    // closest's next choice, the cloud (20 ms RTT), completes but misses the 15 ms deadline.
    expect(during.every((r) => r.clusterIndex === 1 && r.status === 'completed' && !r.sloMet)).toBe(true);
    // Lost: only queries that reached a (1 ms away) as it went dark, answered by the reply timeout.
    expect(lost.every((r) => r.clusterIndex === 0 && r.createdAt < 10_000 && r.createdAt > 9_990 && Math.abs(r.latencyMs - 500) < 1e-6)).toBe(true);
    expect(after.length).toBeGreaterThan(300);
    expect(after.every((r) => r.clusterIndex === 0 && r.status === 'completed' && r.sloMet)).toBe(true);
  });

  it('a link degradation slows the affected links during its window only', () => {
    const records = run('[{ kind: link-degradation, tiers: [far-edge], startSec: 5, durationSec: 10, rttMultiplier: 4, extraRttMs: 2 }]');
    const net = (from: number, to: number) => {
      const xs = records.filter((r) => inWindow(r, from, to)).map((r) => r.emulatedNetworkMs);
      return xs.reduce((a, b) => a + b, 0) / xs.length;
    };
    expect(net(0, 4.9)).toBeCloseTo(2, 1);
    expect(net(5.1, 14.9)).toBeCloseTo(10, 1);
    expect(net(15.1, 30)).toBeCloseTo(2, 1);
    // closest keeps sending to the degraded edge: 10 ms RTT + 2 ms processing still fits 15 ms.
    expect(records.filter((r) => inWindow(r, 5.1, 14.9)).every((r) => r.clusterIndex === 0)).toBe(true);
  });

  it('a slowdown multiplies processing on its clusters for queries started in its window, and composes', () => {
    const records = run('[{ kind: slowdown, clusters: [a], startSec: 5, durationSec: 10, factor: 3 }, { kind: slowdown, tiers: [far-edge], startSec: 10, durationSec: 2, factor: 2 }]');
    const processing = (from: number, to: number) => [...new Set(records.filter((r) => inWindow(r, from, to) && r.status === 'completed').map((r) => Math.round((r.finishedAt - r.startedAt) * 1e6) / 1e6))];
    expect(processing(0, 4.9)).toEqual([2]);
    expect(processing(5.1, 9.9)).toEqual([6]);
    expect(processing(10.1, 11.9)).toEqual([12]);
    expect(processing(15.1, 30)).toEqual([2]);
    // 2 ms RTT + 12 ms processing fits 15 ms unqueued; closest keeps the edge.
    expect(records.filter((r) => inWindow(r, 5.1, 14.9)).every((r) => r.clusterIndex === 0)).toBe(true);
  });

  it.each(['least-loaded', 'random', 'round-robin', 'latency-aware'])('%s sends nothing to a dark cluster after its first no-responder', (policy) => {
    const records = run('[{ kind: outage, clusters: [b], startSec: 5, durationSec: 10 }]', policy);
    expect(records.filter((r) => inWindow(r, 5, 15) && r.clusterIndex === 1)).toEqual([]);
    expect(records.filter((r) => r.status === 'timed_out').every((r) => r.createdAt < 5000)).toBe(true);
    // Policies that used b before the outage use it again once it heartbeats.
    if (records.some((r) => inWindow(r, 0, 5) && r.clusterIndex === 1)) expect(records.filter((r) => inWindow(r, 16, 30) && r.clusterIndex === 1).length).toBeGreaterThan(0);
  });
});

describe('liveness in the simulator', () => {
  /** Runs closest (never sending to b) and records, per decision, whether b is seen alive. */
  function aliveOfB(dynamics: string, observation: ConstructorParameters<typeof Simulation>[0]['observation']): { now: number; alive: boolean }[] {
    const seen: { now: number; alive: boolean }[] = [];
    new Simulation({
      scenario: scenario(dynamics),
      zoo,
      seed: 5,
      queries: 3000,
      ...(observation ? { observation } : {}),
      policy: (ctx) => {
        const closest = createPolicy('closest', ctx);
        return {
          name: 'recorder',
          decide(query, o) {
            seen.push({ now: o.now, alive: (o.clusters[1] as { alive: boolean }).alive });
            return closest.decide(query, o);
          },
        };
      },
      sink: { onRecord: () => {} },
    }).run();
    return seen;
  }
  const transitions = (seen: { now: number; alive: boolean }[]) => seen.flatMap((s, i) => (i > 0 && s.alive !== seen[i - 1]?.alive ? [{ after: seen[i - 1]?.now ?? 0, at: s.now, alive: s.alive }] : []));

  it('a cluster that misses three heartbeats in a row is down, and up again from its next heartbeat', () => {
    // b beats at 81 + k * 100 ms: its last beat before the outage is at 4981; 5081, 5181 and 5281 are missed.
    const t = transitions(aliveOfB('[{ kind: outage, clusters: [b], startSec: 5, durationSec: 5 }]', { heartbeatMs: 100, phasesMs: [37, 81] }));
    expect(t).toHaveLength(2);
    expect(t[0]).toMatchObject({ alive: false });
    expect(t[0]?.after).toBeLessThan(5281);
    expect(t[0]?.at).toBeGreaterThanOrEqual(5281);
    expect(t[1]).toMatchObject({ alive: true });
    expect(t[1]?.after).toBeLessThan(10_081);
    expect(t[1]?.at).toBeGreaterThanOrEqual(10_081);
  });

  it('the number of missed heartbeats is configurable and checked', () => {
    const t = transitions(aliveOfB('[{ kind: outage, clusters: [b], startSec: 5, durationSec: 5 }]', { heartbeatMs: 100, phasesMs: [37, 81], missedHeartbeats: 1 }));
    expect(t[0]?.after).toBeLessThan(5081);
    expect(t[0]?.at).toBeGreaterThanOrEqual(5081);
    expect(() => aliveOfB('[]', { heartbeatMs: 100, missedHeartbeats: 0 })).toThrow(/missedHeartbeats: 0 is not a positive integer/);
  });

  it('with the exact observation, a cluster is down exactly during its outage', () => {
    const t = transitions(aliveOfB('[{ kind: outage, clusters: [b], startSec: 5, durationSec: 5 }]', 'exact'));
    expect(t.map((x) => x.alive)).toEqual([false, true]);
    expect(t[0]?.after).toBeLessThan(5000);
    expect(t[0]?.at).toBeGreaterThanOrEqual(5000);
    expect(t[1]?.after).toBeLessThan(10_000);
    expect(t[1]?.at).toBeGreaterThanOrEqual(10_000);
  });

  it('a dispatch that finds no responder marks the cluster down at once and decides the query again', () => {
    const decisions: { queryId: string; createdAt: number; now: number }[] = [];
    const records: SimRecord[] = [];
    new Simulation({
      scenario: scenario('[{ kind: outage, clusters: [a], startSec: 0, durationSec: 100 }]'),
      zoo,
      seed: 2,
      queries: 500,
      policy: (ctx) => {
        const closest = createPolicy('closest', ctx);
        return {
          name: 'recorder',
          decide(query, o) {
            decisions.push({ queryId: query.queryId, createdAt: query.createdAt, now: o.now });
            return closest.decide(query, o);
          },
          observeOutcome() {},
        };
      },
      sink: { onRecord: (r) => records.push({ ...r }) },
    }).run();
    // The first query went to a, found nobody, and was decided again at once with its own identity;
    // every later one went to b directly (a's missed heartbeats kept it down).
    expect(decisions).toHaveLength(501);
    expect(decisions[1]).toEqual(decisions[0]);
    expect(records).toHaveLength(500);
    expect(records.every((r) => r.clusterIndex === 1 && r.status === 'completed')).toBe(true);
  });
});

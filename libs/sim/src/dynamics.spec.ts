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
  it('an outage loses what is sent to the dark cluster (timed out after the reply timeout), and only then', () => {
    const records = run('[{ kind: outage, clusters: [a], startSec: 10, durationSec: 5 }]');
    const during = records.filter((r) => inWindow(r, 10.1, 14.9));
    const after = records.filter((r) => inWindow(r, 15.1, 25));
    expect(during.length).toBeGreaterThan(300);
    expect(during.every((r) => r.status === 'timed_out' && Math.abs(r.latencyMs - 500) < 1e-6)).toBe(true);
    expect(after.every((r) => r.status === 'completed' && r.sloMet)).toBe(true);
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

  it('a dark cluster stops heartbeating: least-loaded sees it as empty and keeps sending there', () => {
    const records = run('[{ kind: outage, clusters: [b], startSec: 5, durationSec: 10 }]', 'least-loaded');
    const during = records.filter((r) => inWindow(r, 6, 14.5));
    expect(during.some((r) => r.clusterIndex === 1 && r.status === 'timed_out')).toBe(true);
  });
});

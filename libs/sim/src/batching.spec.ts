import { describe, expect, it } from 'vitest';
import { createPolicy } from '@aset/scheduling';
import { Simulation } from './simulation.js';
import type { RecordSink, SimRecord } from './sim.record.js';
import { scenarioFromYaml, syntheticZoo } from './testing.js';

/** Batch 1 takes 4 ms, 2 take 5, 4 take 7, 8 take 11 (3 interpolate to 6). */
const zoo = syntheticZoo([{ id: 'v', accuracy: 0.95, ms: 4, batchMs: { '2': 5, '4': 7, '8': 11 } }]);

/** One one-slot cluster 1 ms away (no jitter); `batching` as given; Poisson arrivals at `rate`. */
function scenario(rate: number, batching?: string, dynamics = '') {
  return scenarioFromYaml(
    `
schemaVersion: 1
name: batched
hardwareClasses: { hw: { speedFactor: 1 } }
clusters: [{ id: c, tier: cloud, hardware: hw, slots: 1, variants: [v] ${batching ? `, batching: { v: ${batching} }` : ''} }]
sources: [{ id: s }]
links: [{ source: s, cluster: c, rttMs: 2, bandwidthMbps: 1000000000, jitterMs: 0 }]
applications: [{ id: a, task: t, slo: { maxLatencyMs: 100, minAccuracy: 0.9 }, payloadBytes: 1, replyBytes: 1 }]
workload: { queries: 10, replyTimeoutMs: 5000, arrivals: [{ source: s, app: a, process: { kind: poisson, ratePerSec: ${rate} } }] }
${dynamics}
`,
    zoo,
  );
}

function simulate(s: ReturnType<typeof scenario>, queries = 4000): SimRecord[] {
  const records: SimRecord[] = [];
  const sink: RecordSink = { onRecord: (r) => void records.push({ ...r }) };
  new Simulation({ scenario: s, zoo, sink, seed: 3, queries, policy: (ctx) => createPolicy('closest', ctx) }).run();
  expect(new Set(records.map((r) => r.queryIndex)).size).toBe(records.length);
  return records;
}

/** Completed queries grouped by batch (same start on the one slot). */
function batches(records: SimRecord[]): SimRecord[][] {
  const byStart = new Map<number, SimRecord[]>();
  for (const r of records.filter((x) => x.status === 'completed')) byStart.set(r.startedAt, [...(byStart.get(r.startedAt) ?? []), r]);
  return [...byStart.values()];
}

const p99 = (records: SimRecord[]) => {
  const l = records.map((r) => r.latencyMs).sort((a, b) => a - b);
  return l[Math.floor(0.99 * (l.length - 1))] as number;
};

describe('dynamic batching in the simulator', () => {
  it('runs up to maxBatchSize waiting queries as one batch lasting the profiled batch time, and so carries a load one-at-a-time cannot', () => {
    // 400/s: past the 250/s of one query at a time (4 ms each), within the 571/s of full batches of 4 (7 ms).
    const batched = simulate(scenario(400, '{ maxBatchSize: 4, maxQueueDelayMs: 2 }'));
    const single = simulate(scenario(400));
    expect(batched).toHaveLength(4000);
    const groups = batches(batched);
    const sizes = groups.map((g) => g.length);
    expect(Math.max(...sizes)).toBe(4);
    expect(sizes.filter((n) => n > 1).length).toBeGreaterThan(groups.length / 2);
    const ms = [0, 4, 5, 6, 7];
    for (const g of groups) for (const r of g) expect(r.finishedAt - r.startedAt).toBeCloseTo(ms[g.length] as number, 9);
    expect(p99(batched)).toBeLessThan(40);
    expect(batched.every((r) => r.status === 'completed')).toBe(true);
    // One at a time, the queue grows for the whole run.
    expect(p99(single)).toBeGreaterThan(1000);
    expect(batches(single).every((g) => g.length === 1)).toBe(true);
  });

  it('starts a lone query once it has waited maxQueueDelayMs, and at once without batching', () => {
    const delayed = simulate(scenario(2, '{ maxBatchSize: 8, maxQueueDelayMs: 3 }'), 200);
    const plain = simulate(scenario(2), 200);
    // The request takes 1 ms (half the RTT); at 2/s queries almost never overlap.
    const wait = (r: SimRecord) => r.startedAt - r.dispatchedAt;
    expect(delayed.filter((r) => Math.abs(wait(r) - 4) < 1e-9).length).toBeGreaterThan(190);
    expect(plain.filter((r) => Math.abs(wait(r) - 1) < 1e-9).length).toBeGreaterThan(190);
    expect(Math.min(...delayed.map(wait))).toBeGreaterThanOrEqual(1);
    expect(Math.max(...delayed.map(wait))).toBeLessThanOrEqual(4 + 1e-9);
  });

  it('loses a waiting batch when its cluster goes dark before the batch starts: each such query times out, once', () => {
    const s = scenario(10, '{ maxBatchSize: 8, maxQueueDelayMs: 400 }', 'dynamics: [{ kind: outage, clusters: [c], startSec: 10, durationSec: 5 }]');
    const records = simulate(s, 200);
    expect(records).toHaveLength(200);
    const lost = records.filter((r) => r.status === 'timed_out');
    expect(lost.length).toBeGreaterThan(0);
    // Each waited for its batch (at most 400 ms) when the outage began; later ones find no responder and are dropped.
    for (const r of lost) {
      expect(r.dispatchedAt).toBeGreaterThan(10_000 - 401);
      expect(r.dispatchedAt).toBeLessThan(10_000);
    }
    expect(records.filter((r) => r.status === 'dropped').every((r) => r.reason === 'NO_LIVE_CLUSTER')).toBe(true);
    expect(records.filter((r) => r.status === 'completed').length).toBeGreaterThan(120);
  });
});

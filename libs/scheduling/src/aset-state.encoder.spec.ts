import { describe, expect, it } from 'vitest';
import { CANDIDATE_FEATURES, CandidateEncoder, HEADROOM_CANDIDATE_FEATURES, HEADROOM_QUERY_FEATURES, candidateStateSize, type Candidate } from './aset-state.encoder.js';
import { ClosestPolicy } from './closest.policy.js';
import { RecentActivity } from './recent-activity.window.js';
import { idleObservation, queryView, repoPolicyContext } from './testing.js';

const ctx = repoPolicyContext();
const { scenario, catalog } = ctx;
const observation = idleObservation(ctx);

function encoder(nearest: number, slots = 8): CandidateEncoder {
  return new CandidateEncoder(scenario, catalog, new RecentActivity(scenario, catalog), slots, nearest);
}

const queries = scenario.sources.flatMap((s) =>
  [
    { task: 'digits', app: 'digit-reader', minAccuracy: 0.95 },
    { task: 'digits', app: 'digit-reader', minAccuracy: 0.5 },
  ].map((q) => queryView({ source: s.id, task: q.task, app: q.app, slo: { maxLatencyMs: 60, minAccuracy: q.minAccuracy } })),
);

describe('CandidateEncoder', () => {
  it('offers only options meeting the accuracy floor, best estimate first, and masks the empty slots', () => {
    const enc = encoder(24);
    const state = new Float32Array(enc.size);
    for (const q of queries) {
      const found = enc.encode(q, observation, state);
      expect(found).toBeGreaterThan(0);
      const offered = enc.candidates.slice(0, found);
      for (const c of offered) expect(c.accuracy).toBeGreaterThanOrEqual(q.slo.minAccuracy);
      for (let j = 1; j < found; j++) expect(offered[j]!.estimateMs).toBeGreaterThanOrEqual(offered[j - 1]!.estimateMs);
      expect(Array.from(enc.mask)).toEqual(Array.from({ length: 8 }, (_, j) => (j < found ? 1 : 0)));
      expect(state.slice(found * CANDIDATE_FEATURES, 8 * CANDIDATE_FEATURES).every((v) => v === 0)).toBe(true);
    }
  });

  it("always offers the closest policy's cluster, even when it lies beyond the nearest-cluster window", () => {
    const closest = new ClosestPolicy(ctx);
    // A window of 0 edge clusters: only the cloud and the closest qualifying cluster are considered.
    for (const nearest of [0, 1, 24]) {
      const enc = encoder(nearest);
      const state = new Float32Array(enc.size);
      for (const q of queries) {
        const pick = closest.decide(q, observation);
        expect(pick.kind).toBe('dispatch');
        if (pick.kind !== 'dispatch') continue;
        const found = enc.encode(q, observation, state);
        const clusters = enc.candidates.slice(0, found).map((c) => c.clusterIndex);
        expect(clusters, `${q.source} floor ${q.slo.minAccuracy}, window ${nearest}`).toContain(pick.clusterIndex);
      }
    }
  });
});

describe('CandidateEncoder with fastestVariantOnly', () => {
  it("offers each cluster once, with its cheapest variant meeting the floor (the others are dominated)", () => {
    const enc = new CandidateEncoder(scenario, catalog, new RecentActivity(scenario, catalog), 8, 24, true);
    const all = encoder(24);
    const state = new Float32Array(enc.size);
    let pruned = 0;
    for (const q of queries) {
      const found = enc.encode(q, observation, state);
      const offered = enc.candidates.slice(0, found);
      const clusters = offered.map((c) => c.clusterIndex);
      expect(new Set(clusters).size).toBe(found);
      for (const c of offered) expect(c.variantId).toBe(catalog.cheapestMeeting(c.clusterIndex, q.task, q.slo.minAccuracy)?.variant.id);
      pruned += all.encode(q, observation, state) > found ? 1 : 0;
    }
    expect(pruned).toBeGreaterThan(0);
  });
});

describe('CandidateEncoder with a safety shield', () => {
  const shielded = (tiers: readonly number[]) => new CandidateEncoder(scenario, catalog, new RecentActivity(scenario, catalog), 8, 24, false, tiers);
  const sigma = (q: ReturnType<typeof queryView>, cluster: number) => Math.SQRT2 * scenario.linkAt(scenario.sourceIndex(q.source), cluster).jitterMs;

  it('leaves only the candidates of the most confident tier that has any, and all when none fits', () => {
    const enc = shielded([4, 0]);
    const state = new Float32Array(enc.size);
    let tightened = 0;
    for (const maxLatencyMs of [1, 8, 12, 20, 60]) {
      for (const base of queries) {
        const q = { ...base, slo: { ...base.slo, maxLatencyMs } };
        const found = enc.encode(q, observation, state);
        const offered = enc.candidates.slice(0, found);
        const fits = (k: number) => offered.map((c) => c.estimateMs + k * sigma(q, c.clusterIndex) <= maxLatencyMs);
        const expected = fits(4).some(Boolean) ? fits(4) : fits(0).some(Boolean) ? fits(0) : offered.map(() => true);
        expect(Array.from(enc.mask.slice(0, found), Boolean), `${q.source} ${maxLatencyMs} ms`).toEqual(expected);
        if (expected.some((x) => !x)) tightened++;
      }
    }
    // The deadlines above do exclude candidates, in both tiers.
    expect(tightened).toBeGreaterThan(queries.length);
  });

  it('counts a cluster\'s recent excess delay against it', () => {
    const activity = new RecentActivity(scenario, catalog);
    const enc = new CandidateEncoder(scenario, catalog, activity, 8, 24, false, [0]);
    const state = new Float32Array(enc.size);
    const q = { ...queries[0]!, slo: { ...queries[0]!.slo, maxLatencyMs: 60 } };
    enc.encode(q, observation, state);
    const first = enc.candidates[0]!.clusterIndex;
    expect(enc.mask[0]).toBe(1);
    // Answers from the first candidate's cluster arrive 100 ms later than estimated.
    for (let i = 0; i < 50; i++) activity.onOutcome({ queryId: `q${i}`, app: q.app, source: q.source, clusterIndex: first, status: 'completed', sloMet: false, createdAt: 0, completedAt: 200, latencyMs: 200, processingMs: 1 });
    // ... while every other cluster answers on time: the lateness is that cluster's own.
    const source = scenario.sourceIndex(q.source);
    scenario.clusters.forEach((_, c) => {
      if (c === first) return;
      const latencyMs = catalog.networkMs(source, c, q.app, q.task) + 1;
      for (let i = 0; i < 50; i++) activity.onOutcome({ queryId: `p${c}-${i}`, app: q.app, source: q.source, clusterIndex: c, status: 'completed', sloMet: true, createdAt: 0, completedAt: 200, latencyMs, processingMs: 1 });
    });
    expect(activity.excessMs(first)).toBeGreaterThan(60);
    enc.encode(q, observation, state);
    const again = enc.candidates.findIndex((c) => c.clusterIndex === first);
    expect(enc.mask[again]).toBe(0);
  });
});

describe('CandidateEncoder with the headroom view', () => {
  const stride = CANDIDATE_FEATURES + HEADROOM_CANDIDATE_FEATURES;

  it('keeps the base features of every candidate and appends the headroom ones', () => {
    const activity = new RecentActivity(scenario, catalog);
    const plain = new CandidateEncoder(scenario, catalog, activity, 8, 24);
    const wide = new CandidateEncoder(scenario, catalog, activity, 8, 24, false, [], true);
    expect(wide.size).toBe(candidateStateSize(8, true));
    expect(wide.size).toBe(8 * stride + 2 + HEADROOM_QUERY_FEATURES);
    const a = new Float32Array(plain.size);
    const b = new Float32Array(wide.size);
    const q = queries[0] as (typeof queries)[number];
    plain.encode(q, observation, a);
    wide.encode(q, observation, b);
    for (let j = 0; j < 8; j++) expect(Array.from(b.slice(j * stride, j * stride + CANDIDATE_FEATURES))).toEqual(Array.from(a.slice(j * CANDIDATE_FEATURES, (j + 1) * CANDIDATE_FEATURES)));
    expect(Array.from(b.slice(8 * stride, 8 * stride + 2))).toEqual(Array.from(a.slice(8 * CANDIDATE_FEATURES)));
  });

  it("shows a cluster's recent dispatches, and the tight ones apart, as utilization of its slots", () => {
    const activity = new RecentActivity(scenario, catalog);
    const enc = new CandidateEncoder(scenario, catalog, activity, 8, 24, false, [], true);
    const state = new Float32Array(enc.size);
    const q = queries[0] as (typeof queries)[number];
    enc.encode(q, observation, state);
    expect(state[10]).toBe(0);
    expect(state[11]).toBe(0);
    const first = { ...(enc.candidates[0] as Candidate) };
    activity.onArrival(q, 0);
    for (let i = 0; i < 20; i++) activity.onDispatch(first.clusterIndex, i < 5);
    enc.encode(q, observation, state);
    expect(enc.candidates[0]).toEqual(first);
    const slots = catalog.slots[first.clusterIndex] as number;
    // 20 dispatches over tau (2 s), each of this variant's processing time, over the slots.
    expect(state[10]).toBeCloseTo(((20 / 2000) * first.processingMs) / slots, 5);
    expect(state[11]).toBeCloseTo(((5 / 2000) * first.processingMs) / slots, 5);
  });

  it('calls a query tight when at most one cluster fits its deadline', () => {
    const enc = new CandidateEncoder(scenario, catalog, new RecentActivity(scenario, catalog), 8, 24, false, [], true);
    const state = new Float32Array(enc.size);
    const g = 8 * stride + 2;
    const loose = queryView({ source: 'ap-1', slo: { maxLatencyMs: 500, minAccuracy: 0.5 } });
    enc.encode(loose, observation, state);
    expect(enc.tight).toBe(false);
    expect(state[g]).toBeGreaterThan(1 / 8);
    expect(state[g + 1]).toBe(0);
    const impossible = queryView({ source: 'ap-1', slo: { maxLatencyMs: 0.5, minAccuracy: 0.5 } });
    enc.encode(impossible, observation, state);
    expect(enc.tight).toBe(true);
    expect(state[g]).toBe(0);
    expect(state[g + 1]).toBe(1);
  });
});

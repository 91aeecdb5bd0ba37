import { describe, expect, it } from 'vitest';
import { ADMISSION_JITTER_SIGMAS, DeadlineAdmission } from './deadline.admission.js';
import type { Observation } from './policy.contract.js';
import { idleObservation, queryView, repoPolicyContext } from './testing.js';

// scenarios/overload.yaml: ap-1 -> edge-a (rtt 4, jitter 0.5) and edge-b (rtt 10, jitter 1), one
// slot each, cluttered-cnn-m only (0.9725 ms profiled x speedFactor 80: 77.8 ms), SLO 400 ms at 0.9.
describe('DeadlineAdmission', () => {
  const ctx = repoPolicyContext('overload');
  const admission = new DeadlineAdmission(ctx.catalog);
  const a = ctx.scenario.clusterIndex('edge-a');
  const b = ctx.scenario.clusterIndex('edge-b');
  const processingMs = ctx.catalog.cheapestMeeting(a, 'cluttered-digits', 0.9)!.processingMs;
  const query = (overrides: Parameters<typeof queryView>[0] = {}) =>
    queryView({ app: 'sign-reader', source: 'ap-1', task: 'cluttered-digits', slo: { maxLatencyMs: 400, minAccuracy: 0.9 }, createdAt: 1000, ...overrides });
  const floors = admission.floorRow(ctx.scenario.sourceIndex('ap-1'), 'sign-reader', 'cluttered-digits');
  /** Both clusters busy with `queued` waiting, as reported at `reportedAt`. */
  const loaded = (queued: number, reportedAt: number, now = 1000): Observation => ({
    now,
    clusters: ctx.scenario.clusters.map(() => ({ busySlots: 1, queueLength: queued, alive: true, reportedAt })),
  });

  it('floors each direction of a link at its nominal time less six jitter deviations, never below zero', () => {
    const link = ctx.scenario.linkAt(0, a);
    const { request, reply } = ctx.catalog.messageBytes('sign-reader', 'cluttered-digits');
    const nominal = (bytes: number) => link.rttMs / 2 + (bytes * 8) / (link.bandwidthMbps * 1000);
    expect([floors[2 * a], floors[2 * a + 1]]).toEqual([
      Math.max(0, nominal(request) - ADMISSION_JITTER_SIGMAS * link.jitterMs),
      Math.max(0, nominal(reply) - ADMISSION_JITTER_SIGMAS * link.jitterMs),
    ]);
    expect(floors[2 * b]).toBe(Math.max(0, ctx.scenario.linkAt(0, b).rttMs / 2 - ADMISSION_JITTER_SIGMAS * 1 + (request * 8) / 150_000));
  });

  it('admits a query an idle cluster can answer in time', () => {
    expect(admission.check(query(), idleObservation(ctx, 1000))).toBeUndefined();
  });

  it('drops with DEADLINE_UNREACHABLE, naming the earliest answer, a query every live cluster answers too late even at its floor', () => {
    // Ten waiting, freshly reported: the query starts no earlier than ten processing rounds (778 ms) from now.
    const drop = admission.check(query(), loaded(10, 1000));
    expect(drop).toMatchObject({ kind: 'drop', reason: 'DEADLINE_UNREACHABLE' });
    const earliest = Math.min(...[a, b].map((c) => admission.answerFloor(c, { busySlots: 1, queueLength: 10, alive: true, reportedAt: 1000 }, 1000, floors, processingMs)));
    expect(drop?.kind === 'drop' && drop.detail).toContain(`earliest possible answer is ${Math.round(earliest - 1000)} ms after it`);
  });

  it('credits the queue with what it may have drained since it was reported', () => {
    // The same ten waiting, reported 800 ms ago: all ten may have run since.
    expect(admission.check(query(), loaded(10, 200))).toBeUndefined();
    // Reported 400 ms ago: five more rounds (389 ms) at least, then the query's own 78 ms: past the deadline.
    expect(admission.check(query(), loaded(10, 600))).toMatchObject({ reason: 'DEADLINE_UNREACHABLE' });
  });

  it('never dates a report after now (a worker clock ahead of the scheduler)', () => {
    const fresh = admission.answerFloor(a, { busySlots: 1, queueLength: 3, alive: true, reportedAt: 1000 }, 1000, floors, processingMs);
    expect(admission.answerFloor(a, { busySlots: 1, queueLength: 3, alive: true, reportedAt: 1500 }, 1000, floors, processingMs)).toBe(fresh);
  });

  it('admits exactly up to the floor: a deadline at the floor is met, one just before it is not', () => {
    const state = { busySlots: 1, queueLength: 4, alive: true, reportedAt: 1000 };
    const obs: Observation = { now: 1000, clusters: [state, { ...state }] };
    const floor = Math.min(admission.answerFloor(a, state, 1000, floors, processingMs), admission.answerFloor(b, state, 1000, floors, processingMs));
    expect(admission.check(query({ createdAt: floor - 400 }), obs)).toBeUndefined();
    expect(admission.check(query({ createdAt: floor - 400 - 0.01 }), obs)).toMatchObject({ reason: 'DEADLINE_UNREACHABLE' });
  });

  it('counts the time a query already spent: one created long ago is dropped even by idle clusters', () => {
    expect(admission.check(query({ createdAt: 1000 - 390 }), idleObservation(ctx, 1000))).toMatchObject({ reason: 'DEADLINE_UNREACHABLE' });
  });

  it('with free slots and no queue, counts no waiting, and with more slots busy than the cluster has (replicas), more slots', () => {
    const idle = admission.answerFloor(a, { busySlots: 0, queueLength: 0, alive: true }, 1000, floors, processingMs);
    expect(idle).toBeCloseTo(1000 + (floors[2 * a] as number) + processingMs + (floors[2 * a + 1] as number), 9);
    const oneReplica = admission.answerFloor(a, { busySlots: 1, queueLength: 3, alive: true }, 1000, floors, processingMs);
    const twoReplicas = admission.answerFloor(a, { busySlots: 2, queueLength: 3, alive: true }, 1000, floors, processingMs);
    // Three waiting: three rounds on one slot, one round (ceil(4 / 2) - 1) on two.
    expect(oneReplica - twoReplicas).toBeCloseTo(2 * processingMs, 9);
  });

  it('leaves clusters that are down out, and leaves to the policy a query with no live or no feasible cluster', () => {
    const obs = loaded(10, 1000);
    obs.clusters[b]!.busySlots = 0;
    obs.clusters[b]!.queueLength = 0;
    expect(admission.check(query(), obs)).toBeUndefined();
    obs.clusters[b]!.alive = false;
    expect(admission.check(query(), obs)).toMatchObject({ reason: 'DEADLINE_UNREACHABLE' });
    obs.clusters[a]!.alive = false;
    expect(admission.check(query(), obs)).toBeUndefined();
    expect(admission.check(query({ slo: { maxLatencyMs: 400, minAccuracy: 0.99 } }), loaded(10, 1000))).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { RecentActivity } from './recent-activity.window.js';
import { queryView, repoPolicyContext } from './testing.js';
import type { QueryOutcome } from './policy.contract.js';

const ctx = repoPolicyContext();
const outcome = (o: Partial<QueryOutcome>): QueryOutcome => ({
  queryId: 'q',
  app: 'digit-reader',
  source: 'ap-1',
  clusterIndex: 0,
  status: 'completed',
  sloMet: true,
  createdAt: 0,
  completedAt: 0,
  latencyMs: 10,
  processingMs: 1,
  ...o,
});

describe('RecentActivity', () => {
  it('decays counts exponentially with time constant tau, also across rebases', () => {
    const a = new RecentActivity(ctx.scenario, ctx.catalog, 1000);
    a.onOutcome(outcome({ completedAt: 0, sloMet: true }));
    a.advance(1000);
    expect(a.ended).toBeCloseTo(Math.exp(-1), 10);
    a.advance(500_000); // past the rebase horizon
    a.onOutcome(outcome({ completedAt: 500_000, sloMet: false }));
    expect(a.ended).toBeCloseTo(1, 10);
    expect(a.successRatio()).toBeCloseTo(0, 10);
  });

  it('tracks success per app, loss and excess delay per cluster, and arrival rates', () => {
    const a = new RecentActivity(ctx.scenario, ctx.catalog, 2000);
    const far1 = ctx.scenario.clusterIndex('far-edge-1');
    const nominal = ctx.catalog.networkMs(0, far1, 'digit-reader', 'digits');
    for (let t = 0; t < 1000; t += 10) {
      a.onArrival(queryView({ app: 'digit-reader' }), t);
      a.onOutcome(outcome({ completedAt: t, clusterIndex: far1, latencyMs: nominal + 1 + 5, processingMs: 1, sloMet: t % 20 === 0 }));
    }
    a.onOutcome(outcome({ completedAt: 1000, clusterIndex: far1, status: 'timed_out', processingMs: null, sloMet: false }));
    expect(a.excessMs(far1)).toBeCloseTo(5, 6);
    expect(a.lossRate(far1)).toBeGreaterThan(0);
    expect(a.lossRate(far1)).toBeLessThan(0.03);
    expect(a.appSuccessRatio(0)).toBeGreaterThan(0.45);
    expect(a.appSuccessRatio(0)).toBeLessThan(0.55);
    // 100 arrivals per second for one second, tau 2 s: the decayed count over tau is ~ 100 * 2 * (1 - e^-0.5) / 2.
    expect(a.appRatePerSec(0)).toBeGreaterThan(35);
    expect(a.appRatePerSec(0)).toBeLessThan(45);
    // A cluster with no answers of its own is expected to delay as the others do.
    expect(a.excessMs(ctx.scenario.clusterIndex('cloud-1'))).toBeCloseTo(5, 6);
  });

  it('learns no excess delay from an outcome of a source the scenario does not have, and does not throw on it', () => {
    const a = new RecentActivity(ctx.scenario, ctx.catalog, 2000);
    const far1 = ctx.scenario.clusterIndex('far-edge-1');
    const nominal = ctx.catalog.networkMs(0, far1, 'digit-reader', 'digits');
    a.onOutcome(outcome({ completedAt: 0, clusterIndex: far1, latencyMs: nominal + 1 + 5 }));
    expect(() => a.onOutcome(outcome({ completedAt: 0, clusterIndex: far1, source: 'nowhere', latencyMs: 10_000 }))).not.toThrow();
    expect(a.excessMs(far1)).toBeCloseTo(5, 6);
    expect(a.ended).toBeCloseTo(2, 10);
  });

  it('expects no excess delay before any answer', () => {
    const a = new RecentActivity(ctx.scenario, ctx.catalog, 2000);
    expect(a.excessMs(0)).toBe(0);
  });

  it("returns a cluster's excess delay to the common one as its own evidence ages: one outlier does not keep it looking slow", () => {
    const a = new RecentActivity(ctx.scenario, ctx.catalog, 2000);
    const [slow, busy] = [ctx.scenario.clusterIndex('far-edge-2'), ctx.scenario.clusterIndex('far-edge-1')];
    const late = (cluster: number, t: number, excessMs: number) =>
      a.onOutcome(outcome({ completedAt: t, clusterIndex: cluster, latencyMs: ctx.catalog.networkMs(0, cluster, 'digit-reader', 'digits') + 1 + excessMs, processingMs: 1 }));
    // The first answer of the run comes through a cold pipeline; afterwards only the other cluster is used.
    late(slow, 0, 18.5);
    expect(a.excessMs(slow)).toBeCloseTo(18.5, 6);
    for (let t = 10; t <= 12_000; t += 10) late(busy, t, 3);
    // Its own evidence has decayed to e^-6 of an answer: the estimate is back near the common 3 ms.
    expect(a.excessMs(busy)).toBeCloseTo(3, 1);
    expect(a.excessMs(slow)).toBeGreaterThan(3);
    expect(a.excessMs(slow)).toBeLessThan(3.1);
    // Fresh evidence of its own weighs in at once: a second answer brings it halfway back.
    late(slow, 12_000, 18.5);
    expect(a.excessMs(slow)).toBeGreaterThan(10);
  });
});

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
    expect(a.excessMs(ctx.scenario.clusterIndex('cloud-1'))).toBe(0);
  });
});

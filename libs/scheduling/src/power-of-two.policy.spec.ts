import { describe, expect, it } from 'vitest';
import { placementId } from './heuristics.testing.js';
import { PowerOfTwoPolicy } from './power-of-two.policy.js';
import { idleObservation, queryView, repoPolicyContext } from './testing.js';

// policy-lab from ap-1, floor 0.5: far-edge-1/linear-xs 2.07 ms (jitter 0.3), far-edge-2/mlp-s 8.06 (0.5),
// near-edge-1/mlp-s 10.03 (1), cloud-1/mlp-s 40.02 (3). At 4 sigma, a 30 ms deadline fits all but cloud-1.
describe('power-of-two', () => {
  function picks(seed: number, q: ReturnType<typeof queryView>, n: number, down: string[] = [], loaded: string[] = []): string[] {
    const ctx = repoPolicyContext('policy-lab', seed);
    const policy = new PowerOfTwoPolicy(ctx);
    return Array.from({ length: n }, () => {
      const obs = idleObservation(ctx, 0, down);
      for (const id of loaded) obs.clusters[ctx.scenario.clusterIndex(id)]!.queueLength = 1000;
      return placementId(ctx, policy.decide(q, obs));
    });
  }
  const count = (xs: string[]) => Object.fromEntries([...new Set(xs)].sort().map((x) => [x, xs.filter((y) => y === x).length]));

  it('draws two distinct members of the first non-empty tier and takes the lower estimate', () => {
    const got = count(picks(1, queryView({ source: 'ap-1', slo: { maxLatencyMs: 30, minAccuracy: 0.5 } }), 3000));
    // Pool {far-edge-1, far-edge-2, near-edge-1}: pairs {1,2} and {1,n} give far-edge-1, {2,n} far-edge-2; never the worst, never the unfit cloud.
    expect(Object.keys(got)).toEqual(['far-edge-1/digits-linear-xs', 'far-edge-2/digits-mlp-s']);
    expect(Math.abs(got['far-edge-1/digits-linear-xs']! - 2000)).toBeLessThan(4 * Math.sqrt(3000 * (2 / 9)));
  });

  it('reads the load: a saturated cluster leaves the pool', () => {
    expect(new Set(picks(2, queryView({ source: 'ap-1', slo: { maxLatencyMs: 30, minAccuracy: 0.5 } }), 300, [], ['far-edge-1']))).toEqual(new Set(['far-edge-2/digits-mlp-s']));
  });

  it('draws among every live option when none is safe, still never the worst', () => {
    const got = count(picks(3, queryView({ source: 'ap-1', slo: { maxLatencyMs: 1, minAccuracy: 0.5 } }), 3000));
    expect(Object.keys(got)).toEqual(['far-edge-1/digits-linear-xs', 'far-edge-2/digits-mlp-s', 'near-edge-1/digits-mlp-s']);
    // Of the 6 pairs of 4: far-edge-1 wins 3, far-edge-2 2, near-edge-1 1.
    expect(Math.abs(got['near-edge-1/digits-mlp-s']! - 500)).toBeLessThan(4 * Math.sqrt(3000 * (5 / 36)));
    expect(new Set(picks(3, queryView({ source: 'ap-1', slo: { maxLatencyMs: 1, minAccuracy: 0.5 } }), 50, ['far-edge-1', 'far-edge-2', 'near-edge-1']))).toEqual(new Set(['cloud-1/digits-mlp-s']));
  });

  it('is reproducible from the seed, and the seed matters', () => {
    const q = queryView({ source: 'ap-1', slo: { maxLatencyMs: 30, minAccuracy: 0.5 } });
    expect(picks(7, q, 200)).toEqual(picks(7, q, 200));
    expect(picks(7, q, 200)).not.toEqual(picks(8, q, 200));
  });
});

import { describe, expect, it } from 'vitest';
import type { AsetAgents, AsetController } from './aset.agents.js';
import { createPolicy, POLICY_NAMES } from './policy.registry.js';
import { idleObservation, queryView, repoPolicyContext } from './testing.js';

/** Deterministic stand-ins for trained networks: the first allowed action. */
const firstAllowed: AsetController = { choose: (_state, mask) => (mask ? Math.max(0, mask.indexOf(1)) : 0) };
const agents: AsetAgents = {
  aset: { controller: firstAllowed, policies: ['closest', 'latency-aware'], stepMs: 1000 },
  asetDirect: { controller: firstAllowed, candidateSlots: 8, nearestClusters: 4, safetyTiers: [4, 2, 1, 0] },
};

describe('every registered policy skips clusters that are down', () => {
  const base = repoPolicyContext();
  const ids = base.scenario.clusters.map((c) => c.id);
  // Every subset of the policy-lab clusters held down.
  const subsets = Array.from({ length: 1 << ids.length }, (_, m) => ids.filter((_, i) => (m >> i) & 1));
  const queries = base.scenario.sources.flatMap((s) => base.scenario.applications.map((a) => queryView({ source: s.id, app: a.id, task: a.task, slo: a.slo })));

  it.each(POLICY_NAMES)('%s', (name) => {
    const ctx = { ...repoPolicyContext(), agents };
    const policy = createPolicy(name, ctx);
    let dispatched = 0;
    let now = 0;
    for (const down of subsets) {
      for (const q of queries) {
        now += 137;
        const placement = policy.decide({ ...q, queryId: `q${now}`, createdAt: now }, idleObservation(ctx, now, down));
        const feasible = ctx.catalog.feasibleFor(q.task, q.slo.minAccuracy).clusters;
        const live = [...feasible].filter((c) => !down.includes(ids[c] as string));
        if (placement.kind === 'dispatch') {
          dispatched++;
          expect(down, `${name} placed ${q.app} from ${q.source} on ${ids[placement.clusterIndex]}, which is down`).not.toContain(ids[placement.clusterIndex]);
        } else if (live.length === 0 && feasible.length > 0) {
          expect(placement).toMatchObject({ kind: 'drop', reason: 'NO_LIVE_CLUSTER' });
        } else if (name !== 'cloud') {
          // Only `cloud` may drop while another tier is live: it never leaves the cloud.
          expect.fail(`${name} dropped ${q.app} from ${q.source} (${JSON.stringify(placement)}) with live clusters ${live.map((c) => ids[c]).join(', ')}`);
        }
      }
    }
    expect(dispatched).toBeGreaterThan(subsets.length);
  });
});

import type { ClusterState, Observation, Placement, PolicyContext, QueryOutcome, QueryView } from './policy.contract.js';

/** `cluster/variant` of a dispatch, else the drop reason. */
export function placementId(ctx: PolicyContext, p: Placement): string {
  return p.kind === 'dispatch' ? `${ctx.scenario.clusters[p.clusterIndex]?.id}/${p.variantId}` : p.reason;
}

/** Outcomes of `app` queries from `source` answered by `cluster` `excessMs` later than its nominal network time plus processing. */
export function lateOutcomes(ctx: PolicyContext, o: { source: string; app: string; cluster: string; excessMs: number; count?: number; at?: number }): QueryOutcome[] {
  const c = ctx.scenario.clusterIndex(o.cluster);
  const app = ctx.scenario.app(o.app);
  const nominal = ctx.catalog.networkMs(ctx.scenario.sourceIndex(o.source), c, o.app, app?.task ?? '');
  return Array.from({ length: o.count ?? 20 }, (_, i) => ({
    queryId: `late-${i}`,
    app: o.app,
    source: o.source,
    clusterIndex: c,
    status: 'completed' as const,
    sloMet: true,
    createdAt: o.at ?? 0,
    completedAt: o.at ?? 0,
    latencyMs: nominal + 1 + o.excessMs,
    processingMs: 1,
  }));
}

/**
 * On-time outcomes (no excess delay) of `app` queries from `source` from every cluster but `except`:
 * what makes `except`'s lateness its own rather than the common one ({@link RecentActivity.excessMs}).
 */
export function onTimeElsewhere(ctx: PolicyContext, o: { source: string; app: string; except: string; count?: number; at?: number }): QueryOutcome[] {
  return ctx.scenario.clusters.filter((c) => c.id !== o.except).flatMap((c) => lateOutcomes(ctx, { ...o, cluster: c.id, excessMs: 0 }));
}

/**
 * The reference answer of the shielded rules, over every (cluster, variant) option rather than one
 * per cluster: latency-aware's estimate of each live option, the shield's first non-empty tier (all
 * when none). Returns that tier's index in `tiers` (-1: none) and its options with their estimates and margins.
 */
export function referenceTier(
  ctx: PolicyContext,
  excessMs: (c: number) => number,
  tiers: readonly number[],
  q: QueryView,
  obs: Observation,
): { tier: number; options: { clusterIndex: number; variantId: string; estimate: number; margin: number }[] } {
  const { scenario, catalog } = ctx;
  const source = scenario.sourceIndex(q.source);
  const budget = q.createdAt + q.slo.maxLatencyMs - obs.now;
  const all = catalog
    .feasibleFor(q.task, q.slo.minAccuracy)
    .options.filter((o) => (obs.clusters[o.clusterIndex] as ClusterState).alive)
    .map(({ clusterIndex: c, hosted }) => {
      const st = obs.clusters[c] as ClusterState;
      const slots = catalog.slots[c] as number;
      const waiting = Math.max(0, st.busySlots + st.queueLength - slots + 1);
      return { clusterIndex: c, variantId: hosted.variant.id, estimate: catalog.networkMs(source, c, q.app, q.task) + (waiting / slots + 1) * hosted.processingMs };
    });
  for (const [t, k] of tiers.entries()) {
    const safe = all
      .map((o) => ({ ...o, margin: Math.max(0, excessMs(o.clusterIndex)) + k * Math.SQRT2 * scenario.linkAt(source, o.clusterIndex).jitterMs }))
      .filter((o) => o.estimate + o.margin <= budget);
    if (safe.length > 0) return { tier: t, options: safe };
  }
  return { tier: -1, options: all.map((o) => ({ ...o, margin: 0 })) };
}

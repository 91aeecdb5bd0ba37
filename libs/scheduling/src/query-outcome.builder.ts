import type { QueryRecord } from '@aset/contracts';
import type { Scenario } from '@aset/scenario';
import type { QueryOutcome } from './policy.contract.js';

/**
 * The outcome a policy observes of a query, from its terminal record: what the live scheduler
 * reads on the records stream and what the simulator builds when a query ends. A cluster the
 * scenario does not name counts as not dispatched (-1).
 */
export function outcomeOf(record: QueryRecord, scenario: Scenario): QueryOutcome {
  const r = record;
  return {
    queryId: r.queryId,
    app: r.app,
    source: r.source,
    clusterIndex: r.clusterId !== null && scenario.hasCluster(r.clusterId) ? scenario.clusterIndex(r.clusterId) : -1,
    status: r.status,
    sloMet: r.sloMet,
    createdAt: r.createdAt,
    completedAt: r.completedAt,
    latencyMs: r.latencyMs,
    processingMs: r.startedAt !== null && r.finishedAt !== null ? r.finishedAt - r.startedAt : null,
  };
}

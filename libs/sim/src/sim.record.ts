import { queryIdOf, type DropReason, type QueryRecord, type TerminalStatus } from '@aset/contracts';
import type { HostedVariant } from '@aset/scheduling';
import type { ApplicationSpec, Scenario } from '@aset/scenario';
import { buildQueryRecord } from '@aset/workload';

/**
 * One simulated query at its terminal state. The simulator reuses one instance for every query:
 * a sink must copy what it keeps. `toQueryRecord` gives the live record shape.
 */
export interface SimRecord {
  queryIndex: number;
  /** Index into `workload.arrivals` (fixes source and app). */
  streamIndex: number;
  sourceIndex: number;
  app: ApplicationSpec;
  /** -1 when not dispatched. */
  clusterIndex: number;
  hosted: HostedVariant | undefined;
  policy: string;
  status: TerminalStatus;
  reason: DropReason | null;
  createdAt: number;
  dispatchedAt: number;
  startedAt: number;
  finishedAt: number;
  completedAt: number;
  latencyMs: number;
  emulatedNetworkMs: number;
  /** The verdict of `sloMet` (`@aset/workload`), as in the live record. */
  sloMet: boolean;
  warmup: boolean;
}

/** Receives every query once, at its terminal state, in completion order. */
export interface RecordSink {
  onRecord(record: SimRecord): void;
}

/**
 * The live `QueryRecord` of a simulated query, from the same builder as the live generator's. The
 * simulator knows the decision even of a query that timed out; no model runs, so there is no
 * prediction or label, and no messaging, so the query reaches the cluster's process when it is
 * dispatched.
 */
export function toQueryRecord(r: SimRecord, runId: string, scenario: Scenario): QueryRecord {
  const served = r.clusterIndex >= 0 && r.status === 'completed';
  const app = r.app;
  return buildQueryRecord({
    query: { runId, queryId: queryIdOf(r.queryIndex), app: app.id, source: (scenario.sources[r.sourceIndex] as { id: string }).id, task: app.task, slo: app.slo, createdAt: r.createdAt },
    policy: r.policy,
    clusterId: r.clusterIndex >= 0 ? (scenario.clusters[r.clusterIndex] as { id: string }).id : null,
    variantId: r.hosted?.variant.id ?? null,
    status: r.status,
    reason: r.reason,
    detail: null,
    dispatchedAt: r.status === 'timed_out' && r.clusterIndex < 0 ? null : r.dispatchedAt,
    receivedAt: served ? r.dispatchedAt : null,
    startedAt: served ? r.startedAt : null,
    finishedAt: served ? r.finishedAt : null,
    completedAt: r.completedAt,
    emulatedNetworkMs: served ? r.emulatedNetworkMs : null,
    accuracy: r.hosted?.accuracy ?? 0,
    warmup: r.warmup,
    prediction: null,
    label: null,
  });
}

import type { DropReason, QueryRecord, TerminalStatus } from '@aset/contracts';
import type { HostedVariant } from '@aset/scheduling';
import type { ApplicationSpec, Scenario } from '@aset/scenario';

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
  sloMet: boolean;
  warmup: boolean;
}

/** Receives every query once, at its terminal state, in completion order. */
export interface RecordSink {
  onRecord(record: SimRecord): void;
}

/** The live `QueryRecord` for a simulated query (no model runs, so no prediction or label). */
export function toQueryRecord(r: SimRecord, runId: string, scenario: Scenario): QueryRecord {
  const served = r.clusterIndex >= 0 && r.status === 'completed';
  return {
    schemaVersion: 1,
    runId,
    queryId: `q${String(r.queryIndex).padStart(7, '0')}`,
    app: r.app.id,
    source: (scenario.sources[r.sourceIndex] as { id: string }).id,
    task: r.app.task,
    policy: r.policy,
    clusterId: r.clusterIndex >= 0 ? (scenario.clusters[r.clusterIndex] as { id: string }).id : null,
    variantId: r.hosted?.variant.id ?? null,
    status: r.status,
    reason: r.reason,
    detail: null,
    createdAt: r.createdAt,
    dispatchedAt: r.status === 'timed_out' && r.clusterIndex < 0 ? null : r.dispatchedAt,
    // No messaging in the simulator: the query reaches the cluster's process when it is dispatched.
    receivedAt: served ? r.dispatchedAt : null,
    startedAt: served ? r.startedAt : null,
    finishedAt: served ? r.finishedAt : null,
    completedAt: r.completedAt,
    emulatedNetworkMs: served ? r.emulatedNetworkMs : null,
    latencyMs: r.latencyMs,
    sloMaxLatencyMs: r.app.slo.maxLatencyMs,
    sloMinAccuracy: r.app.slo.minAccuracy,
    sloMet: r.sloMet,
    warmup: r.warmup,
    prediction: null,
    label: null,
  };
}

import type { InferenceQuery, InferenceReply, QueryRecord } from '@aset/contracts';
import type { ModelZoo } from '@aset/model-zoo';

/** How a query ended, from the sender's side. */
export type QueryOutcome =
  | { kind: 'reply'; reply: InferenceReply }
  | { kind: 'timeout'; detail: string }
  | { kind: 'failure'; detail: string };

/**
 * Builds the single terminal record of a query. `sloMet` requires a completed reply within
 * `slo.maxLatencyMs` of `createdAt`, from a variant whose manifest accuracy is at least `slo.minAccuracy`.
 * A failure to reach any service (no responders, a malformed reply) is recorded as status `error`.
 */
export function buildQueryRecord(
  query: InferenceQuery,
  label: number | null,
  outcome: QueryOutcome,
  completedAt: number,
  zoo: ModelZoo,
  warmup: boolean,
): QueryRecord {
  const latencyMs = Math.max(0, completedAt - query.createdAt);
  const base = {
    schemaVersion: 1 as const,
    runId: query.runId,
    queryId: query.queryId,
    app: query.app,
    source: query.source,
    task: query.task,
    createdAt: query.createdAt,
    completedAt,
    latencyMs,
    sloMaxLatencyMs: query.slo.maxLatencyMs,
    sloMinAccuracy: query.slo.minAccuracy,
    warmup,
    label,
  };
  const none = {
    policy: null,
    clusterId: null,
    variantId: null,
    dispatchedAt: null,
    receivedAt: null,
    startedAt: null,
    finishedAt: null,
    emulatedNetworkMs: null,
    prediction: null,
    sloMet: false,
  };
  if (outcome.kind === 'timeout') return { ...base, ...none, status: 'timed_out', reason: null, detail: outcome.detail };
  if (outcome.kind === 'failure') return { ...base, ...none, status: 'error', reason: null, detail: outcome.detail };
  const reply = outcome.reply;
  switch (reply.status) {
    case 'completed': {
      const accuracy = zoo.variant(reply.decision.variantId)?.accuracy ?? 0;
      return {
        ...base,
        status: 'completed',
        reason: null,
        detail: null,
        policy: reply.decision.policy,
        clusterId: reply.decision.clusterId,
        variantId: reply.decision.variantId,
        dispatchedAt: reply.decision.decidedAt,
        receivedAt: reply.timing.receivedAt,
        startedAt: reply.timing.startedAt,
        finishedAt: reply.timing.finishedAt,
        emulatedNetworkMs: reply.timing.emulatedNetworkMs,
        prediction: reply.prediction,
        sloMet: latencyMs <= query.slo.maxLatencyMs && accuracy >= query.slo.minAccuracy,
      };
    }
    case 'dropped':
      return { ...base, ...none, status: 'dropped', policy: reply.policy, dispatchedAt: reply.decidedAt, reason: reply.reason, detail: reply.detail };
    case 'error':
      return { ...base, ...none, status: 'error', reason: reply.code, detail: reply.message.slice(0, 1000) };
  }
}

import type { InferenceQuery, InferenceReply, QueryRecord } from '@aset/contracts';
import type { ModelZoo } from '@aset/model-zoo';
import { sloMet } from './slo.verdict.js';

/** The query fields a record repeats. */
export type RecordedQuery = Pick<InferenceQuery, 'runId' | 'queryId' | 'app' | 'source' | 'task' | 'slo' | 'createdAt'>;

/**
 * What is known of a query when it reaches its terminal state, as the live generator or the
 * simulator observed it; {@link buildQueryRecord} derives the rest (latency, SLO fields, verdict).
 * Fields nobody observed are null.
 */
export type QueryEnd = Omit<QueryRecord, 'schemaVersion' | 'runId' | 'queryId' | 'app' | 'source' | 'task' | 'createdAt' | 'latencyMs' | 'sloMaxLatencyMs' | 'sloMinAccuracy' | 'sloMet'> & {
  readonly query: RecordedQuery;
  /** Held-out accuracy of the variant that served the query; 0 when none served it or the variant is unknown. */
  readonly accuracy: number;
};

/**
 * The single terminal record of a query, live and simulated: `latencyMs` = `completedAt - createdAt`
 * (never negative), `sloMet` from {@link sloMet}.
 */
export function buildQueryRecord(end: QueryEnd): QueryRecord {
  const q = end.query;
  const latencyMs = Math.max(0, end.completedAt - q.createdAt);
  return {
    schemaVersion: 1,
    runId: q.runId,
    queryId: q.queryId,
    app: q.app,
    source: q.source,
    task: q.task,
    policy: end.policy,
    clusterId: end.clusterId,
    variantId: end.variantId,
    status: end.status,
    reason: end.reason,
    detail: end.detail,
    createdAt: q.createdAt,
    dispatchedAt: end.dispatchedAt,
    receivedAt: end.receivedAt,
    startedAt: end.startedAt,
    finishedAt: end.finishedAt,
    completedAt: end.completedAt,
    emulatedNetworkMs: end.emulatedNetworkMs,
    latencyMs,
    sloMaxLatencyMs: q.slo.maxLatencyMs,
    sloMinAccuracy: q.slo.minAccuracy,
    sloMet: sloMet(q.slo, end.status, latencyMs, end.accuracy),
    warmup: end.warmup,
    prediction: end.prediction,
    label: end.label,
  };
}

/** How a sent query ended, from the sender's side: a reply, no reply in time, or no service reached. */
export type ReplyOutcome =
  | { kind: 'reply'; reply: InferenceReply }
  | { kind: 'timeout'; detail: string }
  | { kind: 'failure'; detail: string };

/** When and how the sender saw a query end, besides the outcome. */
export interface SenderView {
  readonly completedAt: number;
  /** The input's label, when known. */
  readonly label: number | null;
  readonly warmup: boolean;
}

/**
 * The terminal facts of a query the live generator sent: a completed reply carries the decision
 * and the worker's timing; a drop the deciding policy; an error reply its code (and the decision,
 * when a worker refused the query: a `QUEUE_FULL` refusal is recorded as `dropped` with reason
 * `QUEUE_FULL`, as the simulator records it); a timeout or a
 * failure to reach any service (no responders, a malformed reply: status `error`) nothing more.
 * The serving variant's accuracy comes from the zoo's manifest.
 */
export function queryEndOf(query: RecordedQuery, outcome: ReplyOutcome, sender: SenderView, zoo: ModelZoo): QueryEnd {
  // One object literal of one shape whatever the outcome: spreading a shared base and overriding
  // some of its fields cost more than the rest of the record's building and encoding together.
  let status: QueryEnd['status'];
  let reason: QueryEnd['reason'] = null;
  let detail: QueryEnd['detail'] = null;
  let policy: QueryEnd['policy'] = null;
  let clusterId: QueryEnd['clusterId'] = null;
  let variantId: QueryEnd['variantId'] = null;
  let dispatchedAt: QueryEnd['dispatchedAt'] = null;
  let receivedAt: QueryEnd['receivedAt'] = null;
  let startedAt: QueryEnd['startedAt'] = null;
  let finishedAt: QueryEnd['finishedAt'] = null;
  let emulatedNetworkMs: QueryEnd['emulatedNetworkMs'] = null;
  let prediction: QueryEnd['prediction'] = null;
  let accuracy = 0;
  if (outcome.kind === 'timeout') {
    status = 'timed_out';
    detail = outcome.detail;
  } else if (outcome.kind === 'failure') {
    status = 'error';
    detail = outcome.detail;
  } else {
    const reply = outcome.reply;
    switch (reply.status) {
      case 'completed':
        status = 'completed';
        policy = reply.decision.policy;
        clusterId = reply.decision.clusterId;
        variantId = reply.decision.variantId;
        dispatchedAt = reply.decision.decidedAt;
        receivedAt = reply.timing.receivedAt;
        startedAt = reply.timing.startedAt;
        finishedAt = reply.timing.finishedAt;
        emulatedNetworkMs = reply.timing.emulatedNetworkMs;
        prediction = reply.prediction;
        accuracy = zoo.variant(reply.decision.variantId)?.accuracy ?? 0;
        break;
      case 'dropped':
        status = 'dropped';
        policy = reply.policy;
        dispatchedAt = reply.decidedAt;
        reason = reply.reason;
        detail = reply.detail;
        break;
      case 'error':
        if (reply.decision) {
          policy = reply.decision.policy;
          clusterId = reply.decision.clusterId;
          variantId = reply.decision.variantId;
          dispatchedAt = reply.decision.decidedAt;
        }
        // A full queue sheds load: an expected outcome under overload, recorded as a drop (as the simulator records it).
        status = reply.code === 'QUEUE_FULL' ? 'dropped' : 'error';
        reason = reply.code;
        detail = reply.message.slice(0, 1000);
        break;
    }
  }
  return {
    query,
    completedAt: sender.completedAt,
    warmup: sender.warmup,
    label: sender.label,
    status,
    reason,
    detail,
    policy,
    clusterId,
    variantId,
    dispatchedAt,
    receivedAt,
    startedAt,
    finishedAt,
    emulatedNetworkMs,
    prediction,
    accuracy,
  };
}

import { z } from 'zod';
import { EpochMs, Identifier } from './identifiers.schema.js';
import { TensorSchema } from './tensor.schema.js';
import { ERROR_CODE_NAMES } from './error.codes.js';

/** The service-level objective a query must meet to count as a success. */
export const SloSchema = z.object({
  /** Largest acceptable end-to-end latency, from the query's scheduled send time to its reply. */
  maxLatencyMs: z.number().positive().finite(),
  /** Smallest acceptable held-out accuracy of the model variant that serves the query, in [0, 1]. */
  minAccuracy: z.number().min(0).max(1),
});
export type Slo = z.infer<typeof SloSchema>;

/** An inference query, as the workload generator sends it to the scheduler. */
export const InferenceQuerySchema = z.object({
  schemaVersion: z.literal(1),
  runId: Identifier,
  /** Unique within the run. */
  queryId: Identifier,
  /** Application id from the scenario. */
  app: Identifier,
  /** Source (access point / region) id from the scenario; the network origin of the query. */
  source: Identifier,
  /** Task id from the model zoo; every variant that serves it accepts `input`. */
  task: Identifier,
  input: TensorSchema,
  slo: SloSchema,
  /** The scheduled send time. Latency is measured from here, so queueing at the sender cannot hide. */
  createdAt: EpochMs,
});
export type InferenceQuery = z.infer<typeof InferenceQuerySchema>;

/** The scheduler's choice for one query. */
export const DecisionSchema = z.object({
  clusterId: Identifier,
  variantId: Identifier,
  /** Name of the policy that decided (registry name). */
  policy: z.string().min(1).max(64),
  decidedAt: EpochMs,
});

/** A query on its way from the scheduler to a worker. The worker replies to the generator directly. */
export const DispatchedQuerySchema = InferenceQuerySchema.extend({
  decision: DecisionSchema,
});
export type DispatchedQuery = z.infer<typeof DispatchedQuerySchema>;

/** Timestamps a worker adds; `receivedAt <= startedAt <= finishedAt`. */
export const WorkerTimingSchema = z.object({
  /** When the query reached the worker process. */
  receivedAt: EpochMs,
  /** When it got a slot and the model started (after the emulated request delay and the queue). */
  startedAt: EpochMs,
  /** When processing ended, including padding to the cluster's hardware class. */
  finishedAt: EpochMs,
  /** Emulated network delay, request plus reply, ms; null when network emulation is off. */
  emulatedNetworkMs: z.number().nonnegative().nullable(),
});

export const CompletedReplySchema = z.object({
  schemaVersion: z.literal(1),
  status: z.literal('completed'),
  queryId: Identifier,
  decision: DecisionSchema,
  timing: WorkerTimingSchema,
  /** Index of the predicted label in the task's label list. */
  prediction: z.number().int().nonnegative(),
});

/**
 * Expected reasons for a scheduler to drop a query. They are outcomes, not errors.
 * `NO_LIVE_CLUSTER`: clusters can serve the query, but every one of them is down as far as the
 * scheduler knows (no heartbeat for its liveness window, or no responder on dispatch).
 * `DEADLINE_UNREACHABLE`: the scheduler's admission rule found that no live cluster can answer
 * before the deadline, even at a lower bound of the time it would take (`DeadlineAdmission`).
 * `QUEUE_FULL`: the chosen cluster refused the query, its queue at the bound (error code `QUEUE_FULL`).
 */
export const DROP_REASONS = ['NO_FEASIBLE_OPTION', 'NO_LIVE_CLUSTER', 'DEADLINE_UNREACHABLE', 'QUEUE_FULL'] as const;
export type DropReason = (typeof DROP_REASONS)[number];

export const DroppedReplySchema = z.object({
  schemaVersion: z.literal(1),
  status: z.literal('dropped'),
  queryId: Identifier,
  policy: z.string().min(1).max(64),
  reason: z.enum(DROP_REASONS),
  detail: z.string().max(1000),
  decidedAt: EpochMs,
});

/** A typed error reply. `queryId` is present when the request was readable enough to carry one. */
export const ErrorReplySchema = z.object({
  schemaVersion: z.literal(1),
  status: z.literal('error'),
  code: z.enum(ERROR_CODE_NAMES),
  message: z.string().max(4000),
  queryId: Identifier.optional(),
  /** Validation issues: where in the message, and what was expected. */
  issues: z.array(z.object({ path: z.string(), message: z.string() })).max(50).optional(),
  /** The scheduler's decision, when a worker refuses a query it was dispatched (`QUEUE_FULL`): which policy sent it where. */
  decision: DecisionSchema.optional(),
});
export type ErrorReply = z.infer<typeof ErrorReplySchema>;

/** What the generator receives for a query: from the worker, or from the scheduler when it drops or rejects. */
export const InferenceReplySchema = z.discriminatedUnion('status', [
  CompletedReplySchema,
  DroppedReplySchema,
  ErrorReplySchema,
]);
export type InferenceReply = z.infer<typeof InferenceReplySchema>;

import { z } from 'zod';
import { EpochMs, Identifier } from './identifiers.schema.js';
import { ERROR_CODE_NAMES } from './error.codes.js';
import { DROP_REASONS, InferenceQuerySchema } from './query.schema.js';

/**
 * Every query ends in exactly one of these.
 * - completed: a worker answered; `sloMet` says whether in time and accurate enough.
 * - dropped: the scheduler decided not to serve it (an expected outcome).
 * - error: a service answered with an ErrorReply.
 * - timed_out: no answer within the generator's reply timeout.
 */
export const TERMINAL_STATUSES = ['completed', 'dropped', 'error', 'timed_out'] as const;
export type TerminalStatus = (typeof TERMINAL_STATUSES)[number];

/** One query's lifecycle, published once on JetStream when the query reaches its terminal state. */
export const QueryRecordSchema = InferenceQuerySchema.pick({
  schemaVersion: true,
  runId: true,
  queryId: true,
  app: true,
  source: true,
  task: true,
}).extend({
  /** Policy that decided; null when no scheduler answered. */
  policy: z.string().min(1).max(64).nullable(),
  clusterId: Identifier.nullable(),
  variantId: Identifier.nullable(),
  status: z.enum(TERMINAL_STATUSES),
  /** For `dropped`: one of DROP_REASONS; for `error`: one of ERROR_CODES. */
  reason: z.union([z.enum(DROP_REASONS), z.enum(ERROR_CODE_NAMES)]).nullable(),
  detail: z.string().max(1000).nullable(),
  /** Scheduled send time. */
  createdAt: EpochMs,
  /** When the scheduler decided and forwarded the query. */
  dispatchedAt: EpochMs.nullable(),
  /** When the query reached the worker process (before any emulated request delay and the queue). */
  receivedAt: EpochMs.nullable(),
  /** When the worker began running the model (after its local queue). */
  startedAt: EpochMs.nullable(),
  /** When the worker finished running the model. */
  finishedAt: EpochMs.nullable(),
  /** When the generator received the reply, or gave up. */
  completedAt: EpochMs,
  /** Emulated network delay (request plus reply) the worker added, ms; null when not emulated or not served. */
  emulatedNetworkMs: z.number().nonnegative().nullable(),
  /** completedAt - createdAt. */
  latencyMs: z.number().finite().nonnegative(),
  sloMaxLatencyMs: z.number().positive(),
  sloMinAccuracy: z.number().min(0).max(1),
  /** Completed, within maxLatencyMs, and served by a variant whose accuracy is at least minAccuracy. */
  sloMet: z.boolean(),
  /** True when the query was sent during warm-up; reports exclude it. */
  warmup: z.boolean(),
  prediction: z.number().int().nonnegative().nullable(),
  label: z.number().int().nonnegative().nullable(),
});
export type QueryRecord = z.infer<typeof QueryRecordSchema>;

/**
 * One of the generator processes a run is split over (one per edge site, say): each emits the
 * arrivals of its `sources` only, under the run's id; the run is over once all `count` parts finished.
 */
export const RunPartSchema = z.object({
  id: Identifier,
  /** How many parts make up the run. */
  count: z.number().int().min(1),
  /** The scenario sources (access points) whose arrivals this part emits. */
  sources: z.array(Identifier).max(10_000),
});
export type RunPart = z.infer<typeof RunPartSchema>;

export const RunStartedSchema = z.object({
  schemaVersion: z.literal(1),
  kind: z.literal('started'),
  runId: Identifier,
  scenario: z.string().min(1).max(200),
  /** The scheduler policy the run was started against, when the launcher knows it. */
  policy: z.string().min(1).max(64).optional(),
  seed: z.number().int(),
  codeVersion: z.string().max(100),
  /** Free-form run parameters (rate, query count, ...), stored as JSON. */
  parameters: z.record(z.string(), z.unknown()),
  startedAt: EpochMs,
  /** Set when the run is split over several generators: the part this record starts. */
  part: RunPartSchema.optional(),
});

/**
 * One Prometheus metric family as a service exported it when its run ended (prom-client's
 * `getMetricsAsJSON` shape): a histogram's values are its `_bucket` (with `le`), `_sum` and `_count`
 * samples, named by `metricName`.
 */
export const MetricFamilySchema = z.object({
  name: z.string().regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/).max(200),
  help: z.string().max(1000),
  type: z.enum(['counter', 'gauge', 'histogram', 'summary']),
  values: z
    .array(
      z.object({
        labels: z.record(z.string().max(200), z.union([z.string().max(1000), z.number()])),
        value: z.number(),
        metricName: z.string().max(200).optional(),
      }),
    )
    .max(10_000),
});
export type MetricFamily = z.infer<typeof MetricFamilySchema>;

export const RunFinishedSchema = z.object({
  schemaVersion: z.literal(1),
  kind: z.literal('finished'),
  runId: Identifier,
  /** Number of QueryRecords the generator published for this run (for a part: for this part); the store uses it to tell when a run is complete. */
  queryCount: z.number().int().nonnegative(),
  finishedAt: EpochMs,
  /** Set when the run is split over several generators: the part this record finishes. */
  part: RunPartSchema.optional(),
  /** The generator's own `aset_*` metrics as the run (or part) ended: they outlive its process here. */
  generatorMetrics: z.array(MetricFamilySchema).max(100).optional(),
});

/** How busy the host of a live run was, as the testbed sampled it (1 s windows of all cores, and each service's CPU time). */
export const HostUsageSchema = z.object({
  cores: z.number().int().positive(),
  /** Sampling windows (about 1 s each) over the run. */
  windows: z.number().int().nonnegative(),
  /** Busy fraction of all cores: mean and highest over the windows. */
  meanBusy: z.number().min(0).max(1),
  maxBusy: z.number().min(0).max(1),
  /** Windows in which more than `saturation` of all cores were busy. */
  saturatedWindows: z.number().int().nonnegative(),
  /** The threshold used, a fraction of all cores. */
  saturation: z.number().min(0).max(1),
  /** CPU time each service used during the run, ms (Linux: from /proc; empty elsewhere). */
  serviceCpuMs: z.record(z.string().max(200), z.number().nonnegative()),
  /** False when the host was saturated during the run: latencies then measure the host, not the system. */
  representative: z.boolean(),
  /** Why the run is not representative. */
  reason: z.string().max(1000).optional(),
});
export type HostUsage = z.infer<typeof HostUsageSchema>;

/** The host's usage during a live run, published by the testbed once the run has ended. */
export const RunHostSchema = z.object({
  schemaVersion: z.literal(1),
  kind: z.literal('host'),
  runId: Identifier,
  host: HostUsageSchema,
  measuredAt: EpochMs,
});

export const RunRecordSchema = z.discriminatedUnion('kind', [RunStartedSchema, RunFinishedSchema, RunHostSchema]);
export type RunRecord = z.infer<typeof RunRecordSchema>;
export type RunStarted = z.infer<typeof RunStartedSchema>;
export type RunFinished = z.infer<typeof RunFinishedSchema>;
export type RunHost = z.infer<typeof RunHostSchema>;

/**
 * One step of the `aset` meta scheduler: which static policy it chose for the step starting at `at`
 * (the run is the one of the queries it was scheduling). Per-query decisions are in QueryRecords.
 */
export const DecisionRecordSchema = z.object({
  schemaVersion: z.literal(1),
  runId: Identifier,
  /** Scheduler instance that decided. */
  schedulerId: Identifier,
  /** The adaptive policy (`aset`). */
  policy: z.string().min(1).max(64),
  /** The static policy it chose for this step. */
  chosen: z.string().min(1).max(64),
  /** Step index since the scheduler started, and the step length. */
  step: z.number().int().nonnegative(),
  stepMs: z.number().positive(),
  /** Start of the step. */
  at: EpochMs,
  /** The recent success ratio the agent observed when it chose. */
  observedSuccessRatio: z.number().min(0).max(1),
});
export type DecisionRecord = z.infer<typeof DecisionRecordSchema>;

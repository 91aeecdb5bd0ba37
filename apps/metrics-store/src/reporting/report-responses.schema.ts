import { z } from 'zod';
import { Identifier, OutcomeFiguresSchema, RunInfoSchema } from '@aset/contracts';
import { BREAKDOWNS } from './report-params.schema.js';

const Timestamp = z.string().describe('ISO 8601 timestamp (UTC, ms precision)');
const Ms = z.number().describe('milliseconds');
const NullableMs = z.number().nullable().describe('milliseconds; null when no query completed');

/** `GET /runs`: newest first. */
export const RunListSchema = z.object({ runs: z.array(RunInfoSchema) });
export type RunList = z.infer<typeof RunListSchema>;

/** Outcomes of one group of a run's measured (non-warm-up) queries: its key and the figures every summary reports. */
export const OutcomeGroupSchema = z.object({
  key: z.string().nullable().describe('the policy, app or cluster id; a null cluster groups queries never placed (dropped, refused)'),
  ...OutcomeFiguresSchema.shape,
});
export type OutcomeGroup = z.infer<typeof OutcomeGroupSchema>;

/** `GET /runs/:runId/summary?by=`. Latency percentiles are over completed queries. */
export const RunBreakdownSchema = z.object({
  runId: Identifier,
  by: z.enum(BREAKDOWNS),
  groups: z.array(OutcomeGroupSchema),
});
export type RunBreakdown = z.infer<typeof RunBreakdownSchema>;

/** `GET /runs/:runId/latency`: latency of completed measured queries per policy. */
export const LatencyReportSchema = z.object({
  runId: Identifier,
  percentiles: z.array(z.number()),
  policies: z.array(
    z.object({
      policy: z.string(),
      completed: z.number().int(),
      meanMs: NullableMs,
      maxMs: NullableMs,
      latencies: z.array(z.object({ percentile: z.number(), ms: NullableMs })).describe('one per requested percentile, in request order'),
    }),
  ),
});
export type LatencyReport = z.infer<typeof LatencyReportSchema>;

/** `GET /runs/:runId/latency-cdf`: the latency distribution of completed measured queries per policy. */
export const LatencyCdfSchema = z.object({
  runId: Identifier,
  fractions: z.array(z.number()).describe('the quantile fractions, from 0 (the fastest query) to 1 (the slowest)'),
  policies: z.array(
    z.object({
      policy: z.string(),
      completed: z.number().int(),
      points: z
        .array(z.object({ fraction: z.number().describe('share of completed queries at or below ms (0-1)'), ms: Ms.describe('latency quantile (percentile_cont, interpolated), ms') }))
        .describe('one per fraction, in order; empty when no query of the policy completed'),
    }),
  ),
});
export type LatencyCdf = z.infer<typeof LatencyCdfSchema>;

/** `GET /runs/:runId/timeseries`: measured queries per bucket of creation time and policy. */
export const TimeseriesSchema = z.object({
  runId: Identifier,
  bucketMs: z.number().int(),
  origin: Timestamp.nullable().describe('start of bucket 0: the run start, else its first query'),
  buckets: z.array(
    z.object({
      offsetMs: Ms.describe('bucket start - origin, ms'),
      start: Timestamp,
      policy: z.string(),
      queries: z.number().int(),
      sloMet: z.number().int(),
      successRatio: z.number(),
      p95Ms: NullableMs,
    }),
  ),
});
export type Timeseries = z.infer<typeof TimeseriesSchema>;

/** `GET /runs/:runId/clusters`: worker heartbeats between the run's start and end, per cluster and bucket. */
export const ClusterUtilisationSchema = z.object({
  runId: Identifier,
  bucketMs: z.number().int(),
  from: Timestamp.nullable().describe('run start, else its first query'),
  to: Timestamp.nullable().describe('run end, else its last completed query'),
  buckets: z.array(
    z.object({
      clusterId: z.string(),
      offsetMs: Ms.describe('bucket start - from, ms'),
      start: Timestamp,
      samples: z.number().int().describe('heartbeats in the bucket'),
      instances: z.number().int().describe('worker instances that sent them'),
      meanUtilisation: z.number().describe('mean of busy slots / slots over the samples (0-1)'),
      meanBusySlots: z.number(),
      meanQueueLength: z.number(),
      maxQueueLength: z.number().int(),
    }),
  ),
});
export type ClusterUtilisation = z.infer<typeof ClusterUtilisationSchema>;

/** `GET /runs/:runId/decisions`: the static policy aset chose at each step. */
export const DecisionReportSchema = z.object({
  runId: Identifier,
  chosen: z.array(z.object({ chosen: z.string(), steps: z.number().int(), share: z.number().describe('steps / all steps (0-1)') })),
  decisions: z.array(
    z.object({
      schedulerId: z.string(),
      step: z.number().int(),
      at: Timestamp.describe('start of the step'),
      stepMs: Ms,
      policy: z.string(),
      chosen: z.string(),
      observedSuccessRatio: z.number(),
    }),
  ),
});
export type DecisionReport = z.infer<typeof DecisionReportSchema>;

/** Body of a 400: `message` names each bad parameter, e.g. `bucketMs: Too small: expected number to be >=100`. */
export const BadRequestSchema = z.object({
  statusCode: z.literal(400),
  error: z.string(),
  message: z.string(),
  problems: z.array(z.object({ parameter: z.string(), message: z.string() })),
});

/** Body of a 404 (unknown run). */
export const NotFoundSchema = z.object({ statusCode: z.literal(404), error: z.string(), message: z.string() });

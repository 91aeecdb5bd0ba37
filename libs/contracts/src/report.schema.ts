import { HostUsageSchema } from './record.schema.js';
import { z } from 'zod';
import { Identifier } from './identifiers.schema.js';

const Timestamp = z.string().describe('ISO 8601 timestamp (UTC, ms precision)');
const NullableMs = z.number().nullable().describe('milliseconds; null when no query of the group completed');

/**
 * What one group of a run's measured (non-warm-up) queries came to: the one description of a
 * group's outcomes in the metrics store's reports, per policy in `GET /reports/summary`, per policy,
 * app or cluster in `GET /runs/:runId/summary?by=`. Latency percentiles are over completed queries.
 */
export const OutcomeFiguresSchema = z.object({
  queries: z.number().int(),
  sloMet: z.number().int(),
  successRatio: z.number().describe('sloMet / queries'),
  completed: z.number().int(),
  drops: z.number().int(),
  errors: z.number().int(),
  timedOut: z.number().int(),
  p50Ms: NullableMs,
  p95Ms: NullableMs,
  p99Ms: NullableMs,
});
export type OutcomeFigures = z.infer<typeof OutcomeFiguresSchema>;

/** One policy's outcomes over a run's measured queries. */
export const PolicySummarySchema = z.object({ policy: z.string(), ...OutcomeFiguresSchema.shape });
export type PolicySummary = z.infer<typeof PolicySummarySchema>;

/** A run as the metrics store knows it: a row of `GET /runs`, the head of `GET /reports/summary`. */
export const RunInfoSchema = z.object({
  runId: Identifier,
  scenario: z.string().nullable(),
  policy: z.string().nullable().describe('scheduler policy the launcher configured, when it said'),
  seed: z.number().int().nullable(),
  startedAt: Timestamp.nullable(),
  finishedAt: Timestamp.nullable(),
  expectedQueries: z.number().int().nullable().describe('query records the generator published (warm-up included), known once the run finished'),
  storedQueries: z.number().int().describe('query rows stored (warm-up included)'),
  complete: z.boolean().describe('the run finished (every part of a split run) and every published record is stored'),
  host: HostUsageSchema.nullable().describe('how busy the host was during a live run, as the testbed measured it (null when not measured)'),
  parts: z
    .object({
      count: z.number().int().describe('generator processes the run is split over'),
      finished: z.number().int().describe('parts whose finished record is stored'),
    })
    .nullable()
    .describe('a run split over several generators (one per edge site): its parts; null for a run of one generator'),
});
export type RunInfo = z.infer<typeof RunInfoSchema>;

/** `GET /reports/summary?run=<id>` of the metrics store: the run, and its outcomes per policy. */
export const RunSummarySchema = z.object({ ...RunInfoSchema.shape, policies: z.array(PolicySummarySchema) });
export type RunSummary = z.infer<typeof RunSummarySchema>;

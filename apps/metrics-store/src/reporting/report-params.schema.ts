import { z } from 'zod';
import { Identifier } from '@aset/contracts';

/** Route parameter of every `/runs/:runId/...` report. */
export const RunParams = z.strictObject({
  runId: Identifier.describe('run id: 1-64 characters of [A-Za-z0-9_-]'),
});

/** `GET /runs`. */
/** `GET /reports/summary?run=<id>`; other parameters are ignored (as they always were on this route). */
export const SummaryQuery = z.object({ run: Identifier.describe('run id: 1-64 characters of [A-Za-z0-9_-]') });

export const RunListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(100).describe('most runs to list, newest first (1-1000)'),
});

/** Groupings of `GET /runs/:runId/summary`. */
export const BREAKDOWNS = ['policy', 'app', 'cluster'] as const;
export type Breakdown = (typeof BREAKDOWNS)[number];

/** `GET /runs/:runId/summary`. */
export const BreakdownQuery = z.strictObject({
  by: z.enum(BREAKDOWNS).default('policy').describe('group measured queries by policy, app or cluster'),
});

const Percentile = z
  .string()
  .regex(/^\d{1,3}(\.\d{1,6})?$/, 'expected a number such as 95 or 99.9')
  .transform(Number)
  .pipe(z.number().gt(0, 'expected a number above 0').lt(100, 'expected a number below 100'));

/** `GET /runs/:runId/latency`. */
export const LatencyQuery = z.strictObject({
  percentiles: z
    .string()
    .max(200)
    .default('50,95,99')
    .describe('comma-separated percentiles, 1 to 10 numbers strictly between 0 and 100, e.g. 50,90,95,99')
    .transform((s) => s.split(','))
    .pipe(z.array(Percentile).min(1).max(10)),
});

/** `GET /runs/:runId/latency-cdf`. */
export const LatencyCdfQuery = z.strictObject({
  points: z.coerce
    .number()
    .int()
    .min(2)
    .max(1001)
    .default(101)
    .describe('quantiles per policy (2-1001), at the fractions 0, 1/(points-1), ..., 1 of completed queries'),
});

/** The fractions `GET /runs/:runId/latency-cdf?points=` asks for: 0, 1/(points-1), ..., 1. */
export function cdfFractions(points: number): number[] {
  return Array.from({ length: points }, (_, i) => (i === points - 1 ? 1 : i / (points - 1)));
}

export const BucketMs = z.coerce
  .number()
  .int()
  .min(100)
  .max(3_600_000)
  .default(1000)
  .describe('bucket width in ms (100-3600000); buckets start at the run start');

/** `GET /runs/:runId/timeseries` and `GET /runs/:runId/clusters`. */
export const BucketQuery = z.strictObject({ bucketMs: BucketMs });

import { z } from 'zod';
import { Identifier } from './identifiers.schema.js';

/** One policy's figures over a run's measured (non-warm-up) queries. */
export const PolicySummarySchema = z.object({
  policy: z.string(),
  queries: z.number().int(),
  sloMet: z.number().int(),
  /** sloMet / queries. */
  successRatio: z.number(),
  completed: z.number().int(),
  drops: z.number().int(),
  errors: z.number().int(),
  timedOut: z.number().int(),
  /** Latency percentiles over completed queries, ms; null when none completed. */
  p50Ms: z.number().nullable(),
  p95Ms: z.number().nullable(),
  p99Ms: z.number().nullable(),
});

/** `GET /reports/summary?run=<id>` of the metrics store. */
export const RunSummarySchema = z.object({
  runId: Identifier,
  scenario: z.string().nullable(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  /** Query records the generator published (warm-up included), known once the run finished. */
  expectedQueries: z.number().int().nullable(),
  /** Query rows stored (warm-up included). */
  storedQueries: z.number().int(),
  /** The run finished and every published record is stored. */
  complete: z.boolean(),
  policies: z.array(PolicySummarySchema),
});
export type RunSummary = z.infer<typeof RunSummarySchema>;

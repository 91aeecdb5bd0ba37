import { z } from 'zod';
import { Identifier } from '@aset/contracts';

/** Most runs one comparison (dashboard view, HTML report) holds. */
export const MAX_COMPARED_RUNS = 10;

/** Comma-separated run ids, 1 to {@link MAX_COMPARED_RUNS} distinct ones, in the order given (repeats dropped). */
export const RunIdList = z
  .string()
  .max(MAX_COMPARED_RUNS * 66)
  .describe(`comma-separated run ids, 1 to ${MAX_COMPARED_RUNS}, e.g. demo-1,demo-2`)
  .transform((s) => s.split(','))
  .pipe(z.array(Identifier).min(1).max(MAX_COMPARED_RUNS))
  .transform((ids) => [...new Set(ids)]);

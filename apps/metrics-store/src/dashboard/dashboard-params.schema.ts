import { z } from 'zod';
import { BucketMs } from '../reporting/report-params.schema.js';
import { RunIdList } from '../reporting/run-comparison.schema.js';

/** `GET /dashboard/view`. */
export const DashboardViewQuery = z.strictObject({
  runs: RunIdList,
  bucketMs: BucketMs,
});
export type DashboardViewParams = z.infer<typeof DashboardViewQuery>;

import { z } from 'zod';
import { BucketMs } from '../reports/report-params.schema.js';
import { RunIdList } from '../report/run-comparison.schema.js';

/** `GET /dashboard/view`. */
export const DashboardViewQuery = z.strictObject({
  runs: RunIdList,
  bucketMs: BucketMs,
});
export type DashboardViewParams = z.infer<typeof DashboardViewQuery>;

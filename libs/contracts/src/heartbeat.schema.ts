import { z } from 'zod';
import { EpochMs, Identifier } from './identifiers.schema.js';

/** A worker's periodic state report. */
export const ClusterHeartbeatSchema = z.object({
  schemaVersion: z.literal(1),
  clusterId: Identifier,
  /** Worker instance id; a cluster may run several. */
  instanceId: Identifier,
  sentAt: EpochMs,
  slots: z.number().int().positive(),
  busySlots: z.number().int().nonnegative(),
  queueLength: z.number().int().nonnegative(),
  /** Queries completed since the worker started. */
  processed: z.number().int().nonnegative(),
});
export type ClusterHeartbeat = z.infer<typeof ClusterHeartbeatSchema>;

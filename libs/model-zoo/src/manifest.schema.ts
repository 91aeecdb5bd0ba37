import { z } from 'zod';
import { Identifier } from '@aset/contracts';

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex digits (sha256)');
/** A path relative to the manifest's folder, without `..`. */
const RelativePath = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith('/') && !p.split('/').includes('..'), 'expected a path relative to the manifest folder, without ".."');

export const TaskSchema = z.object({
  description: z.string(),
  /** Shape of one sample, without the batch dimension (e.g. [1, 8, 8]). */
  inputShape: z.array(z.number().int().positive()).min(1),
  /** Class names; a prediction is an index into this list. */
  labels: z.array(z.string()).min(2),
  provenance: z.string().min(1),
  /** Held-out samples with labels: what accuracies are measured on and what the generator sends. */
  heldOut: z.object({ file: RelativePath, count: z.number().int().positive(), sha256: Sha256 }),
});

/** The batch sizes `npm run zoo:profile` measures; sizes between them are interpolated (ModelZoo.batchMs). */
export const BATCH_SIZES = ['1', '2', '4', '8'] as const;
/** The largest profiled batch size: a scenario's batching may not exceed it. */
export const MAX_BATCH_SIZE = 8;

/** Latency profile of a variant on one host, written by `npm run zoo:profile`. */
export const LatencyProfileSchema = z.object({
  host: z.string(),
  profiledAt: z.string(),
  /** Intra-op threads the profile ran with. */
  threads: z.number().int().positive(),
  /** Median milliseconds per batch, by batch size. */
  batchMs: z.record(z.enum(BATCH_SIZES), z.number().positive()),
});

export const VariantSchema = z.object({
  id: Identifier,
  task: Identifier,
  file: RelativePath,
  sha256: Sha256,
  /** Top-1 accuracy on the task's held-out set, in [0, 1]. */
  accuracy: z.number().min(0).max(1),
  parameters: z.number().int().nonnegative().optional(),
  description: z.string().optional(),
  provenance: z.record(z.string(), z.unknown()),
  latencyMs: LatencyProfileSchema.optional(),
});

export const ManifestSchema = z.object({
  schemaVersion: z.literal(1),
  tasks: z.record(Identifier, TaskSchema),
  variants: z.array(VariantSchema).min(1),
});

export type Manifest = z.infer<typeof ManifestSchema>;
export type TaskSpec = z.infer<typeof TaskSchema>;
export type VariantSpec = z.infer<typeof VariantSchema>;
export type LatencyProfile = z.infer<typeof LatencyProfileSchema>;

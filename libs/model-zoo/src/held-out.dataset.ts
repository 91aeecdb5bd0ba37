import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { ModelZoo } from './model.zoo.js';
import { ZooError } from './zoo.error.js';

const DatasetFileSchema = z.object({
  task: z.string(),
  shape: z.array(z.number().int().positive()).min(2),
  dtype: z.literal('float32'),
  labels: z.array(z.number().int().nonnegative()),
  data: z.string(),
});

/** A task's held-out samples: `count` samples of `sampleShape`, row-major, with their label indices. */
export interface HeldOutSet {
  readonly task: string;
  readonly count: number;
  readonly sampleShape: readonly number[];
  readonly sampleSize: number;
  readonly inputs: Float32Array;
  readonly labels: Int32Array;
}

/** Loads and checks (sha256, shape, label range) a task's held-out set. Throws ZooError. */
export function loadHeldOut(zoo: ModelZoo, taskId: string): HeldOutSet {
  const task = zoo.task(taskId);
  if (!task) throw new ZooError(zoo.manifestFile, `tasks`, `unknown task "${taskId}"`);
  const path = join(zoo.root, task.heldOut.file);
  const where = `tasks.${taskId}.heldOut`;
  let text: Buffer;
  try {
    text = readFileSync(path);
  } catch {
    throw new ZooError(zoo.manifestFile, where, `held-out file ${path} is missing or unreadable`);
  }
  const sha = createHash('sha256').update(text).digest('hex');
  if (sha !== task.heldOut.sha256) throw new ZooError(zoo.manifestFile, where, `sha256 mismatch for ${path}: file is ${sha}`);
  const parsed = DatasetFileSchema.safeParse(JSON.parse(text.toString('utf8')));
  if (!parsed.success) throw new ZooError(path, parsed.error.issues[0]?.path.join('.') ?? '', parsed.error.issues[0]?.message ?? 'invalid');
  const doc = parsed.data;
  const [count, ...sampleShape] = doc.shape as [number, ...number[]];
  if (sampleShape.join(',') !== task.inputShape.join(',')) {
    throw new ZooError(path, 'shape', `samples have shape [${sampleShape.join(',')}], task ${taskId} expects [${task.inputShape.join(',')}]`);
  }
  if (count !== doc.labels.length || count !== task.heldOut.count) {
    throw new ZooError(path, 'labels', `expected ${task.heldOut.count} samples and labels, got ${count} samples and ${doc.labels.length} labels`);
  }
  const bad = doc.labels.findIndex((l) => l >= task.labels.length);
  if (bad >= 0) throw new ZooError(path, `labels.${bad}`, `label ${doc.labels[bad]} is outside the task's ${task.labels.length} classes`);
  const bytes = Buffer.from(doc.data, 'base64');
  const sampleSize = sampleShape.reduce((a, b) => a * b, 1);
  if (bytes.byteLength !== count * sampleSize * 4) {
    throw new ZooError(path, 'data', `expected ${count * sampleSize * 4} bytes of float32, got ${bytes.byteLength}`);
  }
  const inputs = new Float32Array(count * sampleSize);
  new Uint8Array(inputs.buffer).set(bytes);
  return { task: taskId, count, sampleShape, sampleSize, inputs, labels: Int32Array.from(doc.labels) };
}

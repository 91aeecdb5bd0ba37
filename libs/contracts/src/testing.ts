import { randomBytes } from 'node:crypto';
import { encodeTensor } from './tensor.schema.js';
import type { InferenceQuery } from './query.schema.js';

/** A subject prefix no other test run uses. */
export function uniqueTestPrefix(label = 'test'): string {
  return `aset_${label}_${randomBytes(4).toString('hex')}`;
}

/** A valid query for the `digits` task shape; override any field. */
export function sampleQuery(overrides: Partial<InferenceQuery> = {}): InferenceQuery {
  return {
    schemaVersion: 1,
    runId: 'run-test',
    queryId: 'q-1',
    app: 'digit-reader',
    source: 'ap-1',
    task: 'digits',
    input: encodeTensor(new Float32Array(64), [1, 1, 8, 8]),
    slo: { maxLatencyMs: 100, minAccuracy: 0.5 },
    createdAt: Date.now(),
    ...overrides,
  };
}

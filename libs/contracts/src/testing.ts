import { randomBytes } from 'node:crypto';
import { encodeTensor } from './tensor.schema.js';
import type { InferenceQuery } from './query.schema.js';
import type { QueryRecord } from './record.schema.js';

/** A subject prefix no other test run uses. */
export function uniqueTestPrefix(label = 'test'): string {
  return `aset_${label}_${randomBytes(4).toString('hex')}`;
}

/** What a sample query and its sample record share. */
const SAMPLE_IDENTITY = { schemaVersion: 1, runId: 'run-test', queryId: 'q-1', app: 'digit-reader', source: 'ap-1', task: 'digits' } as const;

/** A valid query for the `digits` task shape; override any field. */
export function sampleQuery(overrides: Partial<InferenceQuery> = {}): InferenceQuery {
  return {
    ...SAMPLE_IDENTITY,
    input: encodeTensor(new Float32Array(64), [1, 1, 8, 8]),
    slo: { maxLatencyMs: 100, minAccuracy: 0.5 },
    createdAt: Date.now(),
    ...overrides,
  };
}

/** A valid terminal record of a completed `digits` query that met its SLO; override any field. */
export function sampleQueryRecord(overrides: Partial<QueryRecord> = {}): QueryRecord {
  return {
    ...SAMPLE_IDENTITY,
    policy: 'aset-direct',
    clusterId: 'far-edge-2',
    variantId: 'digits-mlp-s',
    status: 'completed',
    reason: null,
    detail: null,
    createdAt: 1,
    dispatchedAt: 2,
    receivedAt: 2,
    startedAt: 3,
    finishedAt: 4,
    completedAt: 5,
    emulatedNetworkMs: 1,
    latencyMs: 4,
    sloMaxLatencyMs: 30,
    sloMinAccuracy: 0.95,
    sloMet: true,
    warmup: false,
    prediction: 1,
    label: 1,
    ...overrides,
  };
}

export {
  DEFAULT_FUZZ_WEIGHTS,
  FUZZ_CATEGORIES,
  REFERENCE_FIELDS,
  malformedMessages,
  type FuzzCategory,
  type FuzzMessage,
  type FuzzOptions,
} from './malformed-message.generator.js';

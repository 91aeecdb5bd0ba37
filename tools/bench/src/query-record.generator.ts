import type { QueryRecord } from '@aset/contracts';
import { randomInt, seededRandom, type Random } from '@aset/determinism';

/** Clusters and the variants they host, as in scenarios/demo.yaml. */
const CLUSTERS: readonly { id: string; variants: readonly string[] }[] = [
  { id: 'far-edge-1', variants: ['digits-linear-xs', 'digits-mlp-s', 'cluttered-cnn-s', 'cluttered-cnn-m'] },
  { id: 'far-edge-2', variants: ['digits-mlp-s', 'cluttered-cnn-xs', 'cluttered-cnn-m'] },
  { id: 'far-edge-3', variants: ['digits-linear-xs', 'digits-mlp-s', 'cluttered-cnn-m'] },
  { id: 'near-edge-1', variants: ['digits-mlp-s', 'digits-cnn-m', 'cluttered-cnn-m', 'cluttered-cnn-l'] },
  { id: 'near-edge-2', variants: ['digits-cnn-m', 'cluttered-cnn-m', 'cluttered-cnn-l'] },
  { id: 'cloud-1', variants: ['digits-linear-xs', 'digits-mlp-s', 'digits-cnn-m', 'cluttered-cnn-xs', 'cluttered-cnn-l'] },
  { id: 'cloud-2', variants: ['digits-linear-xs', 'digits-mlp-s', 'digits-cnn-m', 'cluttered-cnn-s', 'cluttered-cnn-l'] },
];

const APPS: readonly { id: string; task: string; maxLatencyMs: number; minAccuracy: number }[] = [
  { id: 'digit-reader', task: 'digits', maxLatencyMs: 20, minAccuracy: 0.95 },
  { id: 'glance', task: 'digits', maxLatencyMs: 8, minAccuracy: 0.8 },
  { id: 'sign-reader', task: 'cluttered-digits', maxLatencyMs: 30, minAccuracy: 0.9 },
  { id: 'assistant', task: 'cluttered-digits', maxLatencyMs: 60, minAccuracy: 0.93 },
];

const SOURCES = ['ap-1', 'ap-2', 'ap-3', 'ap-4', 'ap-5'];
const POLICIES = ['closest', 'least-loaded', 'most-accurate', 'aset', 'aset-direct'];
const DROP_DETAILS = [
  'no cluster can meet 8 ms with accuracy >= 0.8',
  'deadline unreachable: best estimate 31.4 ms > 30 ms',
  'queue full at near-edge-2 (8 waiting)',
];
/** Error and timeout details as services write them, including the awkward characters COPY must escape. */
const ERROR_DETAILS = [
  'worker far-edge-2: inference failed: Error: input tensor shape [1,1,28,28] does not match [1,1,8,8]',
  'INFERENCE_FAILED: onnxruntime: Non-zero status code returned while running Conv node.\n    at OrtRun (C:\\models\\cnn.onnx)',
  'UNKNOWN_REFERENCE: variant "digits-cnn-x" is not hosted by cloud-1\tcheck the scenario',
  'INTERNAL: unexpected token \u00e9 in reply (\u8def\u7531 failed)',
];

/**
 * Deterministic, realistic QueryRecords spread over `runs` runs (query ids `q0000000`, ... per run,
 * as the workload generator names them): mostly completed queries with a decision and worker
 * timings (sub-millisecond fractions included), some drops, timeouts and errors with nulls and
 * free-text details (a few with newlines, tabs, backslashes and non-ASCII text), a warm-up prefix.
 * Every record passes QueryRecordSchema.
 */
export function generateQueryRecords(count: number, runs: number, seed = 1): QueryRecord[] {
  const random = seededRandom(seed);
  const perRun = Math.ceil(count / runs);
  const records: QueryRecord[] = new Array<QueryRecord>(count);
  const start = 1_764_136_800_000;
  for (let i = 0; i < count; i++) {
    const run = Math.floor(i / perRun);
    const index = i - run * perRun;
    const runId = `run-20261126-${String(run + 1).padStart(2, '0')}-${(seed * 7919 + run * 104_729).toString(36)}`;
    const createdAt = start + run * 3_600_000 + index * 2.5 + random() * 0.999;
    records[i] = queryRecord(random, runId, `q${String(index).padStart(7, '0')}`, createdAt, index < perRun * 0.05);
  }
  return records;
}

function pick<T>(random: Random, values: readonly T[]): T {
  return values[randomInt(random, values.length)] as T;
}

function queryRecord(random: Random, runId: string, queryId: string, createdAt: number, warmup: boolean): QueryRecord {
  const app = pick(random, APPS);
  const base = {
    schemaVersion: 1 as const,
    runId,
    queryId,
    app: app.id,
    source: pick(random, SOURCES),
    task: app.task,
    createdAt,
    sloMaxLatencyMs: app.maxLatencyMs,
    sloMinAccuracy: app.minAccuracy,
    warmup,
    label: randomInt(random, 10),
  };
  const roll = random();
  if (roll < 0.85) {
    const cluster = pick(random, CLUSTERS);
    const dispatchedAt = createdAt + 0.05 + random() * 0.4;
    const emulatedNetworkMs = cluster.id.startsWith('cloud') ? 8 + random() * 6 : 1 + random() * 3;
    const receivedAt = dispatchedAt + 0.1 + emulatedNetworkMs / 2;
    const startedAt = receivedAt + random() * 4;
    const finishedAt = startedAt + 0.3 + random() * 6;
    const completedAt = finishedAt + emulatedNetworkMs / 2 + 0.1 + random() * 0.3;
    const latencyMs = completedAt - createdAt;
    const prediction = random() < 0.93 ? base.label : randomInt(random, 10);
    return {
      ...base,
      policy: pick(random, POLICIES),
      clusterId: cluster.id,
      variantId: pick(random, cluster.variants),
      status: 'completed',
      reason: null,
      detail: null,
      dispatchedAt,
      receivedAt,
      startedAt,
      finishedAt,
      completedAt,
      emulatedNetworkMs,
      latencyMs,
      sloMet: latencyMs <= app.maxLatencyMs && random() < 0.9,
      prediction,
    };
  }
  const none = {
    clusterId: null,
    variantId: null,
    receivedAt: null,
    startedAt: null,
    finishedAt: null,
    emulatedNetworkMs: null,
    prediction: null,
    sloMet: false,
  };
  if (roll < 0.93) {
    const dispatchedAt = createdAt + 0.05 + random() * 0.3;
    const completedAt = dispatchedAt + 0.2 + random() * 0.5;
    const reasons = ['NO_FEASIBLE_OPTION', 'DEADLINE_UNREACHABLE', 'QUEUE_FULL'] as const;
    const r = randomInt(random, reasons.length);
    return {
      ...base,
      ...none,
      policy: pick(random, POLICIES),
      status: 'dropped',
      reason: reasons[r] ?? 'QUEUE_FULL',
      detail: DROP_DETAILS[r] ?? null,
      dispatchedAt,
      completedAt,
      latencyMs: completedAt - createdAt,
    };
  }
  if (roll < 0.97) {
    const completedAt = createdAt + 2000 + random() * 3;
    return {
      ...base,
      ...none,
      policy: null,
      status: 'timed_out',
      reason: null,
      detail: `no reply from aset.query.schedule within 2000 ms`,
      dispatchedAt: null,
      completedAt,
      latencyMs: completedAt - createdAt,
    };
  }
  const completedAt = createdAt + 1 + random() * 20;
  return {
    ...base,
    ...none,
    policy: null,
    status: 'error',
    reason: pick(random, ['INFERENCE_FAILED', 'UNKNOWN_REFERENCE', 'INTERNAL'] as const),
    detail: pick(random, ERROR_DETAILS),
    dispatchedAt: null,
    completedAt,
    latencyMs: completedAt - createdAt,
  };
}

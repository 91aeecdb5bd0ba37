import { hostname } from 'node:os';
import { z } from 'zod';
import { Identifier } from '@aset/contracts';
import { MAX_INFERENCE_THREADS } from '@aset/inference';
import { BASE_ENV, ConfigurationError, SCENARIO_ENV, envValidator } from '@aset/service-kit';
import { THREADED_FROM_MS, type ThreadPoolSetting } from './inference-threads.plan.js';

const booleanFlag = z.enum(['true', 'false']).transform((v) => v === 'true');

/** Comma-separated cluster ids (blanks around commas ignored), each an Identifier, none twice. */
const clusterIdList = z
  .string()
  .transform((list) => list.split(',').map((id) => id.trim()))
  .pipe(
    z.array(Identifier).superRefine((ids, ctx) => {
      const seen = new Set<string>();
      for (const id of ids) {
        if (seen.has(id)) ctx.addIssue({ code: 'custom', message: `cluster id "${id}" is listed twice` });
        seen.add(id);
      }
    }),
  );

export const WORKER_ENV = {
  ...BASE_ENV,
  ...SCENARIO_ENV,
  HTTP_PORT: BASE_ENV.HTTP_PORT.default(8090),
  CLUSTER_ID: Identifier.optional().describe('the id of a cluster in the scenario, e.g. far-edge-1'),
  CLUSTER_IDS: clusterIdList
    .optional()
    .describe('comma-separated ids of clusters in the scenario, each at most once, e.g. far-edge-1,far-edge-2,near-edge-1'),
  INSTANCE_ID: Identifier.default(`${hostname().replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 40)}-${process.pid}`).describe(
    'a unique id for this worker process, 1-64 characters of [A-Za-z0-9_-]',
  ),
  INFERENCE_THREADS: z.coerce.number().int().min(1).max(64).default(1).describe('onnxruntime intra-op threads per model, an integer 1-64'),
  INFERENCE_THREAD_POOL: z
    .string()
    .default('auto')
    .transform((v, ctx): ThreadPoolSetting => {
      if (v === 'auto') return 'auto';
      if (/^\d{1,2}$/.test(v) && Number(v) <= MAX_INFERENCE_THREADS) return Number(v);
      ctx.addIssue({ code: 'custom', message: `neither auto nor an integer 0-${MAX_INFERENCE_THREADS}` });
      return z.NEVER;
    })
    .describe(
      `auto, or the threads that run inference off the event loop, each with every hosted model, an integer 0-${MAX_INFERENCE_THREADS} (0: on the event loop, which each batch then blocks; auto: the models profiled at ${THREADED_FROM_MS} ms or more at batch 1 on as many threads as the largest cluster hosting one has slots, at most the cores it can keep busy (its CPUs, capped by its cgroup's CPU quota), when there are 2 or more; the others on the event loop)`,
    ),
  EMULATE_NETWORK: booleanFlag.default(true).describe('true or false: delay requests and replies as the scenario link from the query source says (off for real distributed runs)'),
  EMULATE_HARDWARE: booleanFlag.default(true).describe("true or false: pad processing to the cluster hardware class (off on real edge hardware)"),
  EMULATE_DYNAMICS: booleanFlag
    .default(true)
    .describe("true or false: play the scenario's dynamics (link degradations, outages, slowdowns) on the run clock the generator announces"),
  EMULATION_SEED: z.coerce.number().int().default(1).describe('an integer seed for emulated jitter'),
  HEARTBEAT_MS: z.coerce.number().int().min(50).max(60_000).default(500).describe('heartbeat period in ms, an integer 50-60000'),
} as const;

export type WorkerEnv = z.infer<z.ZodObject<typeof WORKER_ENV>>;

/** The clusters a worker process hosts, in the order given, and the variable that named them (for error messages). */
export interface HostedClusterIds {
  readonly variable: 'CLUSTER_ID' | 'CLUSTER_IDS';
  readonly ids: readonly string[];
}

/** The worker's configuration, validated once at start: its variables, and the clusters it hosts. */
export type WorkerConfig = WorkerEnv & { readonly hostedClusters: HostedClusterIds };

const validateWorkerVariables = envValidator('worker', WORKER_ENV);

/**
 * Validates the worker's environment: every variable's form, then that exactly one of CLUSTER_ID
 * and CLUSTER_IDS names the hosted clusters (`CLUSTER_ID=x` hosts the same as `CLUSTER_IDS=x`).
 * Whether the ids are clusters of the scenario is checked when the scenario is read (HostedModels).
 * Throws ConfigurationError naming the variables.
 */
export function validateWorkerEnv(env: Record<string, unknown>): WorkerConfig {
  const config = validateWorkerVariables(env);
  return { ...config, hostedClusters: hostedClusterIdsOf(config) };
}

function hostedClusterIdsOf(config: WorkerEnv): HostedClusterIds {
  const { CLUSTER_ID: one, CLUSTER_IDS: several } = config;
  const expected = `expected ${WORKER_ENV.CLUSTER_ID.description} (CLUSTER_ID), or ${WORKER_ENV.CLUSTER_IDS.description} (CLUSTER_IDS)`;
  const invalid = (line: string) => new ConfigurationError(`invalid configuration for worker:\n  ${line}; ${expected}`);
  if (one !== undefined && several !== undefined) {
    throw invalid(`CLUSTER_ID is "${one}" and CLUSTER_IDS is "${several.join(',')}": set exactly one of them`);
  }
  if (one !== undefined) return { variable: 'CLUSTER_ID', ids: [one] };
  if (several !== undefined) return { variable: 'CLUSTER_IDS', ids: several };
  throw invalid('CLUSTER_ID is not set: nor is CLUSTER_IDS, set exactly one of them');
}

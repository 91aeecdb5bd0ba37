import { hostname } from 'node:os';
import { z } from 'zod';
import { Identifier } from '@aset/contracts';
import { BASE_ENV, SCENARIO_ENV, envValidator } from '@aset/service-kit';

const booleanFlag = z.enum(['true', 'false']).transform((v) => v === 'true');

export const WORKER_ENV = {
  ...BASE_ENV,
  ...SCENARIO_ENV,
  HTTP_PORT: BASE_ENV.HTTP_PORT.default(8090),
  CLUSTER_ID: Identifier.describe('the id of a cluster in the scenario, e.g. far-edge-1'),
  INSTANCE_ID: Identifier.default(`${hostname().replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 40)}-${process.pid}`).describe(
    'a unique id for this worker process, 1-64 characters of [A-Za-z0-9_-]',
  ),
  INFERENCE_THREADS: z.coerce.number().int().min(1).max(64).default(1).describe('onnxruntime intra-op threads per model, an integer 1-64'),
  EMULATE_NETWORK: booleanFlag.default(true).describe('true or false: delay requests and replies as the scenario link from the query source says (off for real distributed runs)'),
  EMULATE_HARDWARE: booleanFlag.default(true).describe("true or false: pad processing to the cluster hardware class (off on real edge hardware)"),
  EMULATE_DYNAMICS: booleanFlag
    .default(true)
    .describe("true or false: play the scenario's dynamics (link degradations, outages, slowdowns) on the run clock the generator announces"),
  EMULATION_SEED: z.coerce.number().int().default(1).describe('an integer seed for emulated jitter'),
  HEARTBEAT_MS: z.coerce.number().int().min(50).max(60_000).default(500).describe('heartbeat period in ms, an integer 50-60000'),
} as const;

export type WorkerEnv = z.infer<z.ZodObject<typeof WORKER_ENV>>;

export const validateWorkerEnv = envValidator('worker', WORKER_ENV);

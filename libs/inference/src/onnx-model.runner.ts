import ort from 'onnxruntime-node';
import { ZooError, readVerifiedModel, type ModelZoo, type TaskSpec, type VariantSpec } from '@aset/model-zoo';
import type { SessionSignature, ThreadSessionOptions, ValueSignature } from './inference-thread.protocol.js';
import type { InferenceThreads } from './inference.threads.js';
import { signatureOf } from './session.signature.js';

export interface RunnerOptions {
  /** Intra-op threads per session. 1 keeps one query per core and latencies comparable to the profile. */
  threads?: number;
  /**
   * Where the session runs: on these inference threads (off the caller's event loop, one session
   * per thread), or, when absent, in the calling thread, whose event loop each run then blocks.
   */
  pool?: InferenceThreads;
}

/** A loaded model, wherever it runs: its signature, a run of one input to the first output's scores, and release. */
interface LoadedSession {
  readonly signature: SessionSignature;
  /** True when runs happen on inference threads. */
  readonly offThread: boolean;
  /** `runMs`: the run's own duration where it ran off the caller's thread; undefined in-process. */
  run(input: Float32Array, dims: readonly number[]): Promise<{ scores: Float32Array; runMs: number | undefined }>;
  release(): Promise<void>;
}

/** The outcome of one batch: argmax label per sample, and the raw scores (batch x classes). */
export interface InferenceResult {
  predictions: Int32Array;
  scores: Float32Array;
  classes: number;
  /**
   * On inference threads: how long the run took in its thread (ms), from its start there, which may
   * be after the call when the thread was busy. Undefined in-process, where the run is the call.
   */
  runMs: number | undefined;
}

/**
 * One model variant loaded in onnxruntime (CPU). Loading checks, with errors naming the manifest
 * entry: the file exists, its sha256 matches, it has one float32 input whose shape is
 * [batch, ...task.inputShape], and one output of [batch, labels.length].
 */
export class OnnxModelRunner {
  private constructor(
    readonly variant: VariantSpec,
    readonly task: TaskSpec,
    private readonly session: LoadedSession,
  ) {}

  static async load(zoo: ModelZoo, variant: VariantSpec, options: RunnerOptions = {}): Promise<OnnxModelRunner> {
    const task = zoo.task(variant.task);
    if (!task) throw new ZooError(zoo.manifestFile, `variant ${variant.id}`, `unknown task "${variant.task}"`);
    const bytes = readVerifiedModel(zoo, variant);
    const sessionOptions: ThreadSessionOptions = { executionProviders: ['cpu'], intraOpNumThreads: options.threads ?? 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' };
    let session: LoadedSession;
    try {
      session = options.pool ? await threadedSession(options.pool, variant.id, bytes, sessionOptions) : await localSession(bytes, sessionOptions);
    } catch (e) {
      throw new ZooError(zoo.manifestFile, `variant ${variant.id}`, `onnxruntime cannot load ${zoo.filePath(variant)}: ${e instanceof Error ? e.message : String(e)}`);
    }
    try {
      checkSignature(zoo, variant, task, session.signature);
    } catch (e) {
      await session.release();
      throw e;
    }
    return new OnnxModelRunner(variant, task, session);
  }

  /**
   * True when the runs happen on inference threads: a run called while the threads are busy waits
   * there, and starts as soon as one is free, without the caller's event loop.
   */
  get offThread(): boolean {
    return this.session.offThread;
  }

  /** Elements of one sample. */
  get sampleSize(): number {
    return this.task.inputShape.reduce((a, b) => a * b, 1);
  }

  /** Runs a batch. `input` holds `batch * sampleSize` floats. Rejects on a length mismatch. */
  async run(input: Float32Array, batch: number): Promise<InferenceResult> {
    if (input.length !== batch * this.sampleSize) {
      throw new RangeError(`${this.variant.id}: expected ${batch * this.sampleSize} floats for batch ${batch}, got ${input.length}`);
    }
    const { scores, runMs } = await this.session.run(input, [batch, ...this.task.inputShape]);
    const classes = scores.length / batch;
    const predictions = new Int32Array(batch);
    for (let b = 0; b < batch; b++) {
      let best = 0;
      let bestScore = -Infinity;
      for (let c = 0; c < classes; c++) {
        const s = scores[b * classes + c] as number;
        if (s > bestScore) {
          bestScore = s;
          best = c;
        }
      }
      predictions[b] = best;
    }
    return { predictions, scores, classes, runMs };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

async function localSession(model: Uint8Array, options: ThreadSessionOptions): Promise<LoadedSession> {
  const session = await ort.InferenceSession.create(model, { ...options, executionProviders: [...options.executionProviders] });
  const inputName = session.inputNames[0] as string;
  const outputName = session.outputNames[0] as string;
  return {
    signature: signatureOf(session),
    offThread: false,
    run: async (input, dims) => ({ scores: (await session.run({ [inputName]: new ort.Tensor('float32', input, dims) }))[outputName]?.data as Float32Array, runMs: undefined }),
    release: () => session.release(),
  };
}

/** Pool keys are unique per load: two runners of one variant (e.g. with different options) never share a session. */
let loads = 0;

async function threadedSession(pool: InferenceThreads, variantId: string, model: Uint8Array, options: ThreadSessionOptions): Promise<LoadedSession> {
  const key = `${variantId}#${++loads}`;
  const signature = await pool.load(key, model, options);
  return { signature, offThread: true, run: (input, dims) => pool.run(key, input, dims), release: () => pool.release(key) };
}

function checkSignature(zoo: ModelZoo, variant: VariantSpec, task: TaskSpec, signature: SessionSignature): void {
  const where = `variant ${variant.id}`;
  const fail = (problem: string): never => {
    throw new ZooError(zoo.manifestFile, where, `${zoo.filePath(variant)}: ${problem}`);
  };
  if (signature.inputs.length !== 1) fail(`expected exactly one input, the model has ${signature.inputs.length}`);
  const input = signature.inputs[0] as ValueSignature;
  if (!input.isTensor || input.type !== 'float32') fail(`input "${input.name}" must be a float32 tensor`);
  const shape = input.shape;
  const expected = ['batch', ...task.inputShape];
  const matches = shape.length === expected.length && shape.slice(1).every((d, i) => d === task.inputShape[i]) && typeof shape[0] !== 'number';
  if (!matches) {
    fail(`wrong input shape [${shape.join(',')}]; task ${variant.task} expects [${expected.join(',')}] with a dynamic batch dimension`);
  }
  const output = signature.outputs[0];
  const outShape = output?.shape ?? [];
  if (!output || outShape.length !== 2 || outShape[1] !== task.labels.length) {
    fail(`output must be [batch, ${task.labels.length}] scores for task ${variant.task}, got [${outShape.join(',')}]`);
  }
}

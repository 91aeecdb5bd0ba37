import ort from 'onnxruntime-node';
import { ZooError, readVerifiedModel, type ModelZoo, type TaskSpec, type VariantSpec } from '@aset/model-zoo';

export interface RunnerOptions {
  /** Intra-op threads per session. 1 keeps one query per core and latencies comparable to the profile. */
  threads?: number;
}

/** The outcome of one batch: argmax label per sample, and the raw scores (batch x classes). */
export interface InferenceResult {
  predictions: Int32Array;
  scores: Float32Array;
  classes: number;
}

/**
 * One model variant loaded in onnxruntime (CPU). Loading checks, with errors naming the manifest
 * entry: the file exists, its sha256 matches, it has one float32 input whose shape is
 * [batch, ...task.inputShape], and one output of [batch, labels.length].
 */
export class OnnxModelRunner {
  private readonly inputName: string;
  private readonly outputName: string;

  private constructor(
    readonly variant: VariantSpec,
    readonly task: TaskSpec,
    private readonly session: ort.InferenceSession,
  ) {
    this.inputName = session.inputNames[0] as string;
    this.outputName = session.outputNames[0] as string;
  }

  static async load(zoo: ModelZoo, variant: VariantSpec, options: RunnerOptions = {}): Promise<OnnxModelRunner> {
    const task = zoo.task(variant.task);
    if (!task) throw new ZooError(zoo.manifestFile, `variant ${variant.id}`, `unknown task "${variant.task}"`);
    const bytes = readVerifiedModel(zoo, variant);
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(bytes, {
        executionProviders: ['cpu'],
        intraOpNumThreads: options.threads ?? 1,
        interOpNumThreads: 1,
        graphOptimizationLevel: 'all',
      });
    } catch (e) {
      throw new ZooError(zoo.manifestFile, `variant ${variant.id}`, `onnxruntime cannot load ${zoo.filePath(variant)}: ${e instanceof Error ? e.message : String(e)}`);
    }
    checkSignature(zoo, variant, task, session);
    return new OnnxModelRunner(variant, task, session);
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
    const tensor = new ort.Tensor('float32', input, [batch, ...this.task.inputShape]);
    const out = await this.session.run({ [this.inputName]: tensor });
    const scores = out[this.outputName]?.data as Float32Array;
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
    return { predictions, scores, classes };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

function checkSignature(zoo: ModelZoo, variant: VariantSpec, task: TaskSpec, session: ort.InferenceSession): void {
  const where = `variant ${variant.id}`;
  const fail = (problem: string): never => {
    throw new ZooError(zoo.manifestFile, where, `${zoo.filePath(variant)}: ${problem}`);
  };
  if (session.inputMetadata.length !== 1) fail(`expected exactly one input, the model has ${session.inputMetadata.length}`);
  const input = session.inputMetadata[0] as ort.InferenceSession.ValueMetadata;
  if (!input.isTensor || input.type !== 'float32') fail(`input "${input.name}" must be a float32 tensor`);
  const shape = (input as ort.InferenceSession.TensorValueMetadata).shape;
  const expected = ['batch', ...task.inputShape];
  const matches = shape.length === expected.length && shape.slice(1).every((d, i) => d === task.inputShape[i]) && typeof shape[0] !== 'number';
  if (!matches) {
    fail(`wrong input shape [${shape.join(',')}]; task ${variant.task} expects [${expected.join(',')}] with a dynamic batch dimension`);
  }
  const output = session.outputMetadata[0] as ort.InferenceSession.TensorValueMetadata | undefined;
  const outShape = output?.shape ?? [];
  if (!output || outShape.length !== 2 || outShape[1] !== task.labels.length) {
    fail(`output must be [batch, ${task.labels.length}] scores for task ${variant.task}, got [${outShape.join(',')}]`);
  }
}

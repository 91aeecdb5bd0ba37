import { denseKernel, type DenseKernel } from './dense.kernel.js';
import type { Mlp } from './mlp.network.js';

/**
 * A read-only copy of an {@link Mlp}'s parameters for single-sample inference, with the same
 * outputs as `Mlp.forward`, bit for bit: every output is summed in input order in float64 from the
 * same float32 weights and inputs, then its bias is added, then (hidden layers) ReLU, rounded to
 * float32 as `forward` stores it. What it skips is exactly what adds nothing: an input that is 0
 * contributes a product of +0 or -0, and a sum that starts at +0 never becomes -0 by adding those, so
 * leaving such inputs out changes no bit. An input column holding a non-finite weight (where 0 times
 * it is NaN) is never skipped.
 *
 * Layout: each layer's weights transposed to `[nIn][nOut]` in float64 (a column of the row-major
 * `W_l` contiguous), so the nonzero inputs of a sample are a short list and each is read once per
 * eight outputs. The sums of a layer whose width is a multiple of 8 run in a WebAssembly SIMD
 * kernel (`dense.kernel.ts`, same sums bit for bit) where the runtime has one, the rest in the same
 * loop in JavaScript.
 *
 * The snapshot holds the parameters as they were when it was made: later changes to the network
 * (training, `parameters.set`) do not reach it. Allocates nothing per call; not re-entrant.
 */
export class MlpSnapshot {
  readonly inputSize: number;
  readonly outputSize: number;
  private readonly sizes: Int32Array;
  /** Per layer: byte offset in the memory of its transposed weights. */
  private readonly weightBytes: Int32Array;
  private readonly biases: Float64Array[] = [];
  /** Per layer and input: 1 when the input's column holds a non-finite weight (never skipped). */
  private readonly keep: Uint8Array[] = [];
  /** The whole memory as float64 (weights, inputs, sums). */
  private readonly memory: Float64Array;
  /** The nonzero inputs of the layer being evaluated: byte offset of the weight column, value. */
  private readonly rows: Int32Array;
  private readonly values: Float64Array;
  /** The layer's sums before the bias. */
  private readonly sums: Float64Array;
  private readonly rowsByte: number;
  private readonly valuesByte: number;
  private readonly sumsByte: number;
  private readonly kernel: DenseKernel | undefined;

  /** @param simd whether to use the WebAssembly kernel where the runtime has one (default); false: JavaScript only. */
  constructor(network: Mlp, simd = true) {
    const layers = network.layers;
    this.sizes = Int32Array.from(layers);
    this.inputSize = network.inputSize;
    this.outputSize = network.outputSize;
    const depth = layers.length - 1;
    const align = (n: number) => Math.ceil(n / 16) * 16;
    this.weightBytes = new Int32Array(depth);
    let bytes = 0;
    let widest = 0;
    let widestOut = 0;
    for (let l = 0; l < depth; l++) {
      this.weightBytes[l] = bytes;
      bytes = align(bytes + 8 * (layers[l] as number) * (layers[l + 1] as number));
      widest = Math.max(widest, layers[l] as number);
      widestOut = Math.max(widestOut, layers[l + 1] as number);
    }
    this.rowsByte = bytes;
    this.valuesByte = align(this.rowsByte + 4 * widest);
    this.sumsByte = align(this.valuesByte + 8 * widest);
    const { buffer, dense } = denseKernel(this.sumsByte + 8 * widestOut, simd);
    this.kernel = dense;
    this.memory = new Float64Array(buffer);
    this.rows = new Int32Array(buffer, this.rowsByte, widest);
    this.values = new Float64Array(buffer, this.valuesByte, widest);
    this.sums = new Float64Array(buffer, this.sumsByte, widestOut);
    const p = network.parameters;
    for (let l = 0; l < depth; l++) {
      const nIn = layers[l] as number;
      const nOut = layers[l + 1] as number;
      const wOff = network.weightOffset(l);
      const w = (this.weightBytes[l] as number) / 8;
      const keep = new Uint8Array(nIn);
      for (let j = 0; j < nOut; j++) {
        for (let i = 0; i < nIn; i++) {
          const v = p[wOff + j * nIn + i] as number;
          this.memory[w + i * nOut + j] = v;
          if (!Number.isFinite(v)) keep[i] = 1;
        }
      }
      this.biases.push(Float64Array.from(p.subarray(network.biasOffset(l), network.biasOffset(l) + nOut)));
      this.keep.push(keep);
    }
  }

  /** The outputs for one input (`inputSize` values), written into `out` (at least `outputSize` long), which it returns. */
  forward(input: Float32Array, out: Float32Array): Float32Array {
    if (input.length !== this.inputSize) throw new RangeError(`MlpSnapshot.forward: expected ${this.inputSize} inputs, got ${input.length}`);
    if (out.length < this.outputSize) throw new RangeError(`MlpSnapshot.forward: out holds ${out.length} values, needs ${this.outputSize}`);
    const { sizes, rows, values, sums, kernel } = this;
    const last = sizes.length - 2;
    // The first layer's nonzero inputs.
    const nIn0 = sizes[0] as number;
    const column0 = 8 * (sizes[1] as number);
    const base0 = this.weightBytes[0] as number;
    const keep0 = this.keep[0] as Uint8Array;
    let count = 0;
    for (let i = 0; i < nIn0; i++) {
      const v = input[i] as number;
      if (v !== 0 || keep0[i] === 1) {
        rows[count] = base0 + i * column0;
        values[count] = v;
        count++;
      }
    }
    for (let l = 0; l <= last; l++) {
      const nOut = sizes[l + 1] as number;
      if (kernel !== undefined && (nOut & 7) === 0) kernel(count, this.rowsByte, this.valuesByte, nOut >> 3, this.sumsByte);
      else sumLayer(this.memory, rows, values, count, nOut, sums);
      const b = this.biases[l] as Float64Array;
      if (l === last) {
        for (let j = 0; j < nOut; j++) out[j] = (sums[j] as number) + (b[j] as number);
        break;
      }
      // ReLU as Mlp's dense: `s > 0 ? s : 0` on its groups of eight outputs, `s < 0 ? 0 : s` on the rest;
      // rounded to float32 as it stores them. The nonzero ones are the next layer's inputs.
      const blocked = nOut - (nOut & 7);
      const column = 8 * (sizes[l + 2] as number);
      const base = this.weightBytes[l + 1] as number;
      const keep = this.keep[l + 1] as Uint8Array;
      count = 0;
      for (let j = 0; j < nOut; j++) {
        const s = (sums[j] as number) + (b[j] as number);
        const v = Math.fround(j < blocked ? (s > 0 ? s : 0) : s < 0 ? 0 : s);
        if (v !== 0 || keep[j] === 1) {
          rows[count] = base + j * column;
          values[count] = v;
          count++;
        }
      }
    }
    return out;
  }
}

/** `sums[j] = sum over k < count of memory[rows[k] / 8 + j] * values[k]`, k in increasing order, eight outputs per pass where it can. */
function sumLayer(memory: Float64Array, rows: Int32Array, values: Float64Array, count: number, nOut: number, sums: Float64Array): void {
  let j = 0;
  for (; j + 7 < nOut; j += 8) {
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let s4 = 0;
    let s5 = 0;
    let s6 = 0;
    let s7 = 0;
    for (let k = 0; k < count; k++) {
      const xi = values[k] as number;
      const r = ((rows[k] as number) >> 3) + j;
      s0 += (memory[r] as number) * xi;
      s1 += (memory[r + 1] as number) * xi;
      s2 += (memory[r + 2] as number) * xi;
      s3 += (memory[r + 3] as number) * xi;
      s4 += (memory[r + 4] as number) * xi;
      s5 += (memory[r + 5] as number) * xi;
      s6 += (memory[r + 6] as number) * xi;
      s7 += (memory[r + 7] as number) * xi;
    }
    sums[j] = s0;
    sums[j + 1] = s1;
    sums[j + 2] = s2;
    sums[j + 3] = s3;
    sums[j + 4] = s4;
    sums[j + 5] = s5;
    sums[j + 6] = s6;
    sums[j + 7] = s7;
  }
  for (; j < nOut; j++) {
    let s = 0;
    for (let k = 0; k < count; k++) s += (memory[((rows[k] as number) >> 3) + j] as number) * (values[k] as number);
    sums[j] = s;
  }
}

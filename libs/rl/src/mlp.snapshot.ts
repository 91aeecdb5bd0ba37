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
 * eight outputs.
 *
 * The snapshot holds the parameters as they were when it was made: later changes to the network
 * (training, `parameters.set`) do not reach it. Allocates nothing per call; not re-entrant.
 */
export class MlpSnapshot {
  readonly inputSize: number;
  readonly outputSize: number;
  private readonly sizes: Int32Array;
  private readonly weights: Float64Array[] = [];
  private readonly biases: Float64Array[] = [];
  /** Per layer and input: 1 when the input's column holds a non-finite weight (never skipped). */
  private readonly keep: Uint8Array[] = [];
  /** Nonzero inputs of the layer being evaluated and of the next: `i * nOut` and the value. */
  private rowsA: Int32Array;
  private valuesA: Float64Array;
  private rowsB: Int32Array;
  private valuesB: Float64Array;

  constructor(network: Mlp) {
    const layers = network.layers;
    this.sizes = Int32Array.from(layers);
    this.inputSize = network.inputSize;
    this.outputSize = network.outputSize;
    const p = network.parameters;
    let widest = 0;
    for (let l = 0; l + 1 < layers.length; l++) {
      const nIn = layers[l] as number;
      const nOut = layers[l + 1] as number;
      widest = Math.max(widest, nIn);
      const wOff = network.weightOffset(l);
      const w = new Float64Array(nIn * nOut);
      const keep = new Uint8Array(nIn);
      for (let j = 0; j < nOut; j++) {
        for (let i = 0; i < nIn; i++) {
          const v = p[wOff + j * nIn + i] as number;
          w[i * nOut + j] = v;
          if (!Number.isFinite(v)) keep[i] = 1;
        }
      }
      this.weights.push(w);
      this.biases.push(Float64Array.from(p.subarray(network.biasOffset(l), network.biasOffset(l) + nOut)));
      this.keep.push(keep);
    }
    this.rowsA = new Int32Array(widest);
    this.valuesA = new Float64Array(widest);
    this.rowsB = new Int32Array(widest);
    this.valuesB = new Float64Array(widest);
  }

  /** The outputs for one input (`inputSize` values), written into `out` (at least `outputSize` long), which it returns. */
  forward(input: Float32Array, out: Float32Array): Float32Array {
    if (input.length !== this.inputSize) throw new RangeError(`MlpSnapshot.forward: expected ${this.inputSize} inputs, got ${input.length}`);
    if (out.length < this.outputSize) throw new RangeError(`MlpSnapshot.forward: out holds ${out.length} values, needs ${this.outputSize}`);
    const sizes = this.sizes;
    const last = sizes.length - 2;
    let rows = this.rowsA;
    let values = this.valuesA;
    let next = this.rowsB;
    let nextValues = this.valuesB;
    // The first layer's nonzero inputs.
    const nIn0 = sizes[0] as number;
    const nOut0 = sizes[1] as number;
    const keep0 = this.keep[0] as Uint8Array;
    let count = 0;
    for (let i = 0; i < nIn0; i++) {
      const v = input[i] as number;
      if (v !== 0 || keep0[i] === 1) {
        rows[count] = i * nOut0;
        values[count] = v;
        count++;
      }
    }
    for (let l = 0; l <= last; l++) {
      const nOut = sizes[l + 1] as number;
      const w = this.weights[l] as Float64Array;
      const b = this.biases[l] as Float64Array;
      const hidden = l < last;
      const nextOut = hidden ? (sizes[l + 2] as number) : 0;
      const nextKeep = hidden ? (this.keep[l + 1] as Uint8Array) : undefined;
      let nextCount = 0;
      let j = 0;
      // Eight outputs at a time (as Mlp's dense, whose ReLU there is `s > 0 ? s : 0`).
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
          const r = (rows[k] as number) + j;
          s0 += (w[r] as number) * xi;
          s1 += (w[r + 1] as number) * xi;
          s2 += (w[r + 2] as number) * xi;
          s3 += (w[r + 3] as number) * xi;
          s4 += (w[r + 4] as number) * xi;
          s5 += (w[r + 5] as number) * xi;
          s6 += (w[r + 6] as number) * xi;
          s7 += (w[r + 7] as number) * xi;
        }
        s0 += b[j] as number;
        s1 += b[j + 1] as number;
        s2 += b[j + 2] as number;
        s3 += b[j + 3] as number;
        s4 += b[j + 4] as number;
        s5 += b[j + 5] as number;
        s6 += b[j + 6] as number;
        s7 += b[j + 7] as number;
        if (hidden) {
          const keep = nextKeep as Uint8Array;
          nextCount = push(next, nextValues, nextCount, j, nextOut, keep, s0 > 0 ? s0 : 0);
          nextCount = push(next, nextValues, nextCount, j + 1, nextOut, keep, s1 > 0 ? s1 : 0);
          nextCount = push(next, nextValues, nextCount, j + 2, nextOut, keep, s2 > 0 ? s2 : 0);
          nextCount = push(next, nextValues, nextCount, j + 3, nextOut, keep, s3 > 0 ? s3 : 0);
          nextCount = push(next, nextValues, nextCount, j + 4, nextOut, keep, s4 > 0 ? s4 : 0);
          nextCount = push(next, nextValues, nextCount, j + 5, nextOut, keep, s5 > 0 ? s5 : 0);
          nextCount = push(next, nextValues, nextCount, j + 6, nextOut, keep, s6 > 0 ? s6 : 0);
          nextCount = push(next, nextValues, nextCount, j + 7, nextOut, keep, s7 > 0 ? s7 : 0);
        } else {
          out[j] = s0;
          out[j + 1] = s1;
          out[j + 2] = s2;
          out[j + 3] = s3;
          out[j + 4] = s4;
          out[j + 5] = s5;
          out[j + 6] = s6;
          out[j + 7] = s7;
        }
      }
      // The rest one at a time (as Mlp's dense, whose ReLU there is `s < 0 ? 0 : s`).
      for (; j < nOut; j++) {
        let s = 0;
        for (let k = 0; k < count; k++) s += (w[(rows[k] as number) + j] as number) * (values[k] as number);
        s += b[j] as number;
        if (hidden) nextCount = push(next, nextValues, nextCount, j, nextOut, nextKeep as Uint8Array, s < 0 ? 0 : s);
        else out[j] = s;
      }
      const swapRows = rows;
      const swapValues = values;
      rows = next;
      values = nextValues;
      next = swapRows;
      nextValues = swapValues;
      count = nextCount;
    }
    return out;
  }
}

/** Appends hidden output `j` (rounded to float32, as `Mlp` stores it) to the next layer's inputs unless it adds nothing there. */
function push(rows: Int32Array, values: Float64Array, count: number, j: number, nOut: number, keep: Uint8Array, s: number): number {
  const v = Math.fround(s);
  if (v === 0 && keep[j] === 0) return count;
  rows[count] = j * nOut;
  values[count] = v;
  return count + 1;
}

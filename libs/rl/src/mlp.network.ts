import { standardNormal, type Random } from '@aset/determinism';

/**
 * Number of parameters of a fully connected network with the given layer sizes
 * (`layers[0]` inputs, `layers[layers.length - 1]` outputs): sum over layers of `in * out + out`.
 */
export function parameterCount(layers: readonly number[]): number {
  let count = 0;
  for (let l = 0; l + 1 < layers.length; l++) {
    const nIn = layers[l] as number;
    const nOut = layers[l + 1] as number;
    count += nIn * nOut + nOut;
  }
  return count;
}

function checkLayers(layers: readonly number[]): void {
  if (layers.length < 2) throw new RangeError(`Mlp: layers needs at least 2 sizes (inputs, outputs), got [${layers.join(', ')}]`);
  for (const n of layers) {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`Mlp: layer sizes must be positive integers, got [${layers.join(', ')}]`);
  }
}

/** `sum_i p[w + i] * x[xOff + i]`, summed in index order in float64. */
function dot(p: Float32Array, w: number, x: Float32Array, xOff: number, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += (p[w + i] as number) * (x[xOff + i] as number);
  return s;
}

/**
 * One dense layer for one sample: `out[outOff + j] = act(sum_i W[j][i] * x[xOff + i] + b[j])`, W row-major
 * `[nOut][nIn]` at `p[wOff]`, b at `p[bOff]`, `relu` selects ReLU, otherwise identity. Every output is
 * summed in input order in float64, then the bias is added: the same rounding as `denseBatch`.
 */
function dense(
  p: Float32Array,
  wOff: number,
  bOff: number,
  nIn: number,
  nOut: number,
  x: Float32Array,
  xOff: number,
  out: Float32Array,
  outOff: number,
  relu: boolean,
): void {
  let j = 0;
  // Eight rows at a time: each input value is loaded once per eight rows.
  for (; j + 7 < nOut; j += 8) {
    const w0 = wOff + j * nIn;
    const w1 = w0 + nIn;
    const w2 = w1 + nIn;
    const w3 = w2 + nIn;
    const w4 = w3 + nIn;
    const w5 = w4 + nIn;
    const w6 = w5 + nIn;
    const w7 = w6 + nIn;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let s4 = 0;
    let s5 = 0;
    let s6 = 0;
    let s7 = 0;
    for (let i = 0; i < nIn; i++) {
      const xi = x[xOff + i] as number;
      s0 += (p[w0 + i] as number) * xi;
      s1 += (p[w1 + i] as number) * xi;
      s2 += (p[w2 + i] as number) * xi;
      s3 += (p[w3 + i] as number) * xi;
      s4 += (p[w4 + i] as number) * xi;
      s5 += (p[w5 + i] as number) * xi;
      s6 += (p[w6 + i] as number) * xi;
      s7 += (p[w7 + i] as number) * xi;
    }
    const o = outOff + j;
    const b = bOff + j;
    s0 += p[b] as number;
    s1 += p[b + 1] as number;
    s2 += p[b + 2] as number;
    s3 += p[b + 3] as number;
    s4 += p[b + 4] as number;
    s5 += p[b + 5] as number;
    s6 += p[b + 6] as number;
    s7 += p[b + 7] as number;
    if (relu) {
      out[o] = s0 > 0 ? s0 : 0;
      out[o + 1] = s1 > 0 ? s1 : 0;
      out[o + 2] = s2 > 0 ? s2 : 0;
      out[o + 3] = s3 > 0 ? s3 : 0;
      out[o + 4] = s4 > 0 ? s4 : 0;
      out[o + 5] = s5 > 0 ? s5 : 0;
      out[o + 6] = s6 > 0 ? s6 : 0;
      out[o + 7] = s7 > 0 ? s7 : 0;
    } else {
      out[o] = s0;
      out[o + 1] = s1;
      out[o + 2] = s2;
      out[o + 3] = s3;
      out[o + 4] = s4;
      out[o + 5] = s5;
      out[o + 6] = s6;
      out[o + 7] = s7;
    }
  }
  for (; j < nOut; j++) {
    const s = dot(p, wOff + j * nIn, x, xOff, nIn) + (p[bOff + j] as number);
    out[outOff + j] = relu && s < 0 ? 0 : s;
  }
}

/**
 * One dense layer for `batch` samples, sample-major (`x[b * nIn + i]`, `out[b * nOut + j]`), with the
 * same arithmetic as `dense`. Four rows by two samples at a time: 8 products per 6 loads.
 */
function denseBatch(
  p: Float32Array,
  wOff: number,
  bOff: number,
  nIn: number,
  nOut: number,
  x: Float32Array,
  out: Float32Array,
  batch: number,
  relu: boolean,
): void {
  let j = 0;
  for (; j + 3 < nOut; j += 4) {
    const w0 = wOff + j * nIn;
    const w1 = w0 + nIn;
    const w2 = w1 + nIn;
    const w3 = w2 + nIn;
    const c0 = p[bOff + j] as number;
    const c1 = p[bOff + j + 1] as number;
    const c2 = p[bOff + j + 2] as number;
    const c3 = p[bOff + j + 3] as number;
    let b = 0;
    for (; b + 1 < batch; b += 2) {
      const xa = b * nIn;
      const xb = xa + nIn;
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      let b0 = 0;
      let b1 = 0;
      let b2 = 0;
      let b3 = 0;
      for (let i = 0; i < nIn; i++) {
        const u = x[xa + i] as number;
        const v = x[xb + i] as number;
        const p0 = p[w0 + i] as number;
        const p1 = p[w1 + i] as number;
        const p2 = p[w2 + i] as number;
        const p3 = p[w3 + i] as number;
        a0 += p0 * u;
        a1 += p1 * u;
        a2 += p2 * u;
        a3 += p3 * u;
        b0 += p0 * v;
        b1 += p1 * v;
        b2 += p2 * v;
        b3 += p3 * v;
      }
      a0 += c0;
      a1 += c1;
      a2 += c2;
      a3 += c3;
      b0 += c0;
      b1 += c1;
      b2 += c2;
      b3 += c3;
      const oa = b * nOut + j;
      const ob = oa + nOut;
      if (relu) {
        out[oa] = a0 > 0 ? a0 : 0;
        out[oa + 1] = a1 > 0 ? a1 : 0;
        out[oa + 2] = a2 > 0 ? a2 : 0;
        out[oa + 3] = a3 > 0 ? a3 : 0;
        out[ob] = b0 > 0 ? b0 : 0;
        out[ob + 1] = b1 > 0 ? b1 : 0;
        out[ob + 2] = b2 > 0 ? b2 : 0;
        out[ob + 3] = b3 > 0 ? b3 : 0;
      } else {
        out[oa] = a0;
        out[oa + 1] = a1;
        out[oa + 2] = a2;
        out[oa + 3] = a3;
        out[ob] = b0;
        out[ob + 1] = b1;
        out[ob + 2] = b2;
        out[ob + 3] = b3;
      }
    }
    for (; b < batch; b++) {
      for (let r = 0; r < 4; r++) {
        const s = dot(p, w0 + r * nIn, x, b * nIn, nIn) + (p[bOff + j + r] as number);
        out[b * nOut + j + r] = relu && s < 0 ? 0 : s;
      }
    }
  }
  for (; j < nOut; j++) {
    const w = wOff + j * nIn;
    const c = p[bOff + j] as number;
    for (let b = 0; b < batch; b++) {
      const s = dot(p, w, x, b * nIn, nIn) + c;
      out[b * nOut + j] = relu && s < 0 ? 0 : s;
    }
  }
}

/**
 * `grad[W_l][j][i] += sum_b delta[b][j] * a[b][i]` and `grad[b_l][j] += sum_b delta[b][j]`, skipping the
 * zero deltas (most of them at the output of a Q-network, about half behind a ReLU) and adding four
 * samples per pass over a gradient row.
 */
function accumulateWeightGrads(
  grad: Float32Array,
  wOff: number,
  bOff: number,
  nIn: number,
  nOut: number,
  a: Float32Array,
  delta: Float32Array,
  batch: number,
  rows: Int32Array,
  values: Float64Array,
): void {
  for (let j = 0; j < nOut; j++) {
    let count = 0;
    let biasGrad = 0;
    for (let b = 0; b < batch; b++) {
      const d = delta[b * nOut + j] as number;
      if (d === 0) continue;
      rows[count] = b * nIn;
      values[count] = d;
      count++;
      biasGrad += d;
    }
    if (count === 0) continue;
    grad[bOff + j] = (grad[bOff + j] as number) + biasGrad;
    const w = wOff + j * nIn;
    let k = 0;
    for (; k + 3 < count; k += 4) {
      const r0 = rows[k] as number;
      const r1 = rows[k + 1] as number;
      const r2 = rows[k + 2] as number;
      const r3 = rows[k + 3] as number;
      const d0 = values[k] as number;
      const d1 = values[k + 1] as number;
      const d2 = values[k + 2] as number;
      const d3 = values[k + 3] as number;
      for (let i = 0; i < nIn; i++) {
        grad[w + i] =
          (grad[w + i] as number) + (d0 * (a[r0 + i] as number) + d1 * (a[r1 + i] as number) + d2 * (a[r2 + i] as number) + d3 * (a[r3 + i] as number));
      }
    }
    for (; k < count; k++) {
      const r = rows[k] as number;
      const d = values[k] as number;
      for (let i = 0; i < nIn; i++) grad[w + i] = (grad[w + i] as number) + d * (a[r + i] as number);
    }
  }
}

/**
 * `prev[b][i] = (a[b][i] > 0) * sum_j delta[b][j] * W[j][i]`: the gradient at the (ReLU) input of the
 * layer, from its output gradient, skipping zero deltas and adding four weight rows per pass.
 */
function propagateDelta(
  p: Float32Array,
  wOff: number,
  nIn: number,
  nOut: number,
  a: Float32Array,
  delta: Float32Array,
  prev: Float32Array,
  batch: number,
  rows: Int32Array,
  values: Float64Array,
): void {
  prev.fill(0, 0, batch * nIn);
  for (let b = 0; b < batch; b++) {
    const dRow = b * nOut;
    const o = b * nIn;
    let count = 0;
    for (let j = 0; j < nOut; j++) {
      const d = delta[dRow + j] as number;
      if (d === 0) continue;
      rows[count] = wOff + j * nIn;
      values[count] = d;
      count++;
    }
    let k = 0;
    for (; k + 3 < count; k += 4) {
      const w0 = rows[k] as number;
      const w1 = rows[k + 1] as number;
      const w2 = rows[k + 2] as number;
      const w3 = rows[k + 3] as number;
      const d0 = values[k] as number;
      const d1 = values[k + 1] as number;
      const d2 = values[k + 2] as number;
      const d3 = values[k + 3] as number;
      for (let i = 0; i < nIn; i++) {
        prev[o + i] =
          (prev[o + i] as number) + (d0 * (p[w0 + i] as number) + d1 * (p[w1 + i] as number) + d2 * (p[w2 + i] as number) + d3 * (p[w3 + i] as number));
      }
    }
    for (; k < count; k++) {
      const w = rows[k] as number;
      const d = values[k] as number;
      for (let i = 0; i < nIn; i++) prev[o + i] = (prev[o + i] as number) + d * (p[w + i] as number);
    }
    for (let i = 0; i < nIn; i++) if ((a[o + i] as number) <= 0) prev[o + i] = 0;
  }
}

/**
 * A fully connected network: ReLU on every hidden layer, linear output.
 *
 * Parameter layout (one `Float32Array`, `parameters`): for each layer `l` from input to output, with
 * `nIn = layers[l]`, `nOut = layers[l + 1]`, first the weights `W_l` row-major with shape `[nOut][nIn]`
 * (`W_l[j][i]` at `weightOffset(l) + j * nIn + i`, the weight from input `i` to output `j`, as in
 * PyTorch's `nn.Linear.weight`), then the biases `b_l` (`nOut` values at `biasOffset(l)`). Layer `l`
 * computes `y = W_l x + b_l`, then ReLU unless it is the last layer.
 *
 * Buffers: single-sample activations are preallocated, so `forward` allocates nothing; batch
 * activations grow to the largest batch seen and are kept for `backwardBatch`. An instance is not
 * re-entrant: results returned without an `out` argument are views of internal buffers, valid until
 * the next call of the same kind.
 */
export class Mlp {
  /** Layer sizes, input first, output last. */
  readonly layers: readonly number[];
  readonly inputSize: number;
  readonly outputSize: number;
  /** All weights and biases, laid out as described on the class. */
  readonly parameters: Float32Array;
  private readonly wOffsets: number[] = [];
  private readonly bOffsets: number[] = [];
  private readonly single: Float32Array[];
  private readonly maxHidden: number;
  private batchCapacity = 0;
  private batchActs: Float32Array[] = [];
  private deltaA = new Float32Array(0);
  private deltaB = new Float32Array(0);
  private scratchIndex = new Int32Array(0);
  private scratchValue = new Float64Array(0);
  private lastBatch = 0;

  /**
   * @param layers sizes from input to output (at least 2, positive integers).
   * @param random when given, He initialisation (weights ~ N(0, 2 / nIn), biases 0) drawn from it in
   *   layout order; when omitted, all parameters are 0 (to be filled through `parameters.set`).
   */
  constructor(layers: readonly number[], random?: Random) {
    checkLayers(layers);
    this.layers = [...layers];
    this.inputSize = layers[0] as number;
    this.outputSize = layers[layers.length - 1] as number;
    this.parameters = new Float32Array(parameterCount(layers));
    let offset = 0;
    let maxHidden = 0;
    for (let l = 0; l + 1 < layers.length; l++) {
      const nIn = layers[l] as number;
      const nOut = layers[l + 1] as number;
      this.wOffsets.push(offset);
      offset += nIn * nOut;
      this.bOffsets.push(offset);
      offset += nOut;
      if (l > 0) maxHidden = Math.max(maxHidden, nIn);
    }
    this.maxHidden = maxHidden;
    this.single = this.layers.slice(1).map((n) => new Float32Array(n));
    if (random) {
      for (let l = 0; l + 1 < layers.length; l++) {
        const nIn = layers[l] as number;
        const nOut = layers[l + 1] as number;
        const std = Math.sqrt(2 / nIn);
        const w = this.wOffsets[l] as number;
        for (let k = 0; k < nIn * nOut; k++) this.parameters[w + k] = std * standardNormal(random);
      }
    }
  }

  /** Number of weight layers (`layers.length - 1`). */
  get depth(): number {
    return this.layers.length - 1;
  }

  /** Index in `parameters` of `W_l[0][0]`. */
  weightOffset(l: number): number {
    const offset = this.wOffsets[l];
    if (offset === undefined) throw new RangeError(`Mlp: no layer ${l} (depth ${this.depth})`);
    return offset;
  }

  /** Index in `parameters` of `b_l[0]`. */
  biasOffset(l: number): number {
    const offset = this.bOffsets[l];
    if (offset === undefined) throw new RangeError(`Mlp: no layer ${l} (depth ${this.depth})`);
    return offset;
  }

  /**
   * Outputs for one input (`inputSize` values). Allocates nothing. Writes into `out` (at least
   * `outputSize` long) when given and returns it; otherwise returns an internal buffer, overwritten by
   * the next `forward`.
   */
  forward(input: Float32Array, out?: Float32Array): Float32Array {
    if (input.length !== this.inputSize) throw new RangeError(`Mlp.forward: expected ${this.inputSize} inputs, got ${input.length}`);
    if (out && out.length < this.outputSize) throw new RangeError(`Mlp.forward: out holds ${out.length} values, needs ${this.outputSize}`);
    const p = this.parameters;
    const last = this.layers.length - 2;
    let x = input;
    for (let l = 0; l <= last; l++) {
      const y = l === last && out ? out : (this.single[l] as Float32Array);
      dense(p, this.wOffsets[l] as number, this.bOffsets[l] as number, this.layers[l] as number, this.layers[l + 1] as number, x, 0, y, 0, l < last);
      x = y;
    }
    return x;
  }

  /**
   * Outputs for a batch: `inputs` holds `batch` samples of `inputSize` values each, sample-major
   * (`batch = inputs.length / inputSize`). Returns `batch * outputSize` values, sample-major, in an
   * internal buffer overwritten by the next `forwardBatch`. Keeps the activations for `backwardBatch`.
   */
  forwardBatch(inputs: Float32Array): Float32Array {
    const batch = inputs.length / this.inputSize;
    if (!Number.isInteger(batch) || batch < 1) {
      throw new RangeError(`Mlp.forwardBatch: inputs length ${inputs.length} is not a positive multiple of ${this.inputSize}`);
    }
    this.ensureBatch(batch);
    const p = this.parameters;
    const last = this.layers.length - 2;
    let x = inputs;
    for (let l = 0; l <= last; l++) {
      const nIn = this.layers[l] as number;
      const nOut = this.layers[l + 1] as number;
      const y = this.batchActs[l] as Float32Array;
      const wOff = this.wOffsets[l] as number;
      const bOff = this.bOffsets[l] as number;
      denseBatch(p, wOff, bOff, nIn, nOut, x, y, batch, l < last);
      x = y;
    }
    this.lastBatch = batch;
    return batch === this.batchCapacity ? x : x.subarray(0, batch * this.outputSize);
  }

  /**
   * Backpropagates `outputGrads` (dLoss/dOutput, `batch * outputSize` values, sample-major) through the
   * activations of the preceding `forwardBatch`, which must have been called on these same `inputs`,
   * and ADDS dLoss/dParameters into `grad` (same length and layout as `parameters`; zero it first for a
   * fresh gradient). The ReLU derivative at 0 is taken as 0.
   */
  backwardBatch(inputs: Float32Array, outputGrads: Float32Array, grad: Float32Array): void {
    const batch = this.lastBatch;
    if (batch === 0) throw new Error('Mlp.backwardBatch: call forwardBatch first');
    if (inputs.length !== batch * this.inputSize) {
      throw new RangeError(`Mlp.backwardBatch: inputs length ${inputs.length} does not match the last forwardBatch (${batch} x ${this.inputSize})`);
    }
    if (outputGrads.length !== batch * this.outputSize) {
      throw new RangeError(`Mlp.backwardBatch: outputGrads length ${outputGrads.length}, expected ${batch} x ${this.outputSize}`);
    }
    if (grad.length !== this.parameters.length) {
      throw new RangeError(`Mlp.backwardBatch: grad length ${grad.length}, expected ${this.parameters.length}`);
    }
    const p = this.parameters;
    let delta = outputGrads;
    for (let l = this.layers.length - 2; l >= 0; l--) {
      const nIn = this.layers[l] as number;
      const nOut = this.layers[l + 1] as number;
      const aIn = l === 0 ? inputs : (this.batchActs[l - 1] as Float32Array);
      const wOff = this.wOffsets[l] as number;
      accumulateWeightGrads(grad, wOff, this.bOffsets[l] as number, nIn, nOut, aIn, delta, batch, this.scratchIndex, this.scratchValue);
      if (l > 0) {
        const prev = (l & 1) === 1 ? this.deltaA : this.deltaB;
        propagateDelta(p, wOff, nIn, nOut, aIn, delta, prev, batch, this.scratchIndex, this.scratchValue);
        delta = prev;
      }
    }
  }

  /** Copies `other`'s parameters (same layer sizes required), e.g. to sync a target network. */
  copyFrom(other: Mlp): void {
    this.checkSameShape(other, 'copyFrom');
    this.parameters.set(other.parameters);
  }

  /** Polyak averaging towards `other`: `theta <- tau * theta_other + (1 - tau) * theta`, tau in [0, 1]. */
  softUpdateFrom(other: Mlp, tau: number): void {
    this.checkSameShape(other, 'softUpdateFrom');
    if (!(tau >= 0 && tau <= 1)) throw new RangeError(`Mlp.softUpdateFrom: tau must be in [0, 1], got ${tau}`);
    const p = this.parameters;
    const q = other.parameters;
    for (let k = 0; k < p.length; k++) p[k] = tau * (q[k] as number) + (1 - tau) * (p[k] as number);
  }

  /** A new network with the same layers and a copy of the parameters. */
  clone(): Mlp {
    const copy = new Mlp(this.layers);
    copy.parameters.set(this.parameters);
    return copy;
  }

  private checkSameShape(other: Mlp, what: string): void {
    if (other.layers.length !== this.layers.length || other.layers.some((n, i) => n !== this.layers[i])) {
      throw new RangeError(`Mlp.${what}: layers [${other.layers.join(', ')}] differ from [${this.layers.join(', ')}]`);
    }
  }

  private ensureBatch(batch: number): void {
    if (batch <= this.batchCapacity) return;
    this.batchCapacity = batch;
    this.batchActs = this.layers.slice(1).map((n) => new Float32Array(batch * n));
    this.deltaA = new Float32Array(batch * this.maxHidden);
    this.deltaB = new Float32Array(batch * this.maxHidden);
    const scratch = Math.max(batch, ...this.layers);
    this.scratchIndex = new Int32Array(scratch);
    this.scratchValue = new Float64Array(scratch);
  }
}

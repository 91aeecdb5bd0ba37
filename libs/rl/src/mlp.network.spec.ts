import { seededRandom, standardNormal } from '@aset/determinism';
import { describe, expect, it } from 'vitest';
import { huberGradient, huberLoss } from './huber.loss.js';
import { Mlp, parameterCount } from './mlp.network.js';

/** Independent float64 forward pass over the documented parameter layout. */
function referenceForward(layers: readonly number[], params: Float64Array, input: ArrayLike<number>): Float64Array {
  let x = Float64Array.from(input);
  let offset = 0;
  for (let l = 0; l + 1 < layers.length; l++) {
    const nIn = layers[l]!;
    const nOut = layers[l + 1]!;
    const y = new Float64Array(nOut);
    for (let j = 0; j < nOut; j++) {
      let s = params[offset + nIn * nOut + j]!;
      for (let i = 0; i < nIn; i++) s += params[offset + j * nIn + i]! * x[i]!;
      y[j] = l + 2 < layers.length ? Math.max(0, s) : s;
    }
    offset += nIn * nOut + nOut;
    x = y;
  }
  return x;
}

/** Mean Huber loss of the chosen outputs against targets, in float64. */
function referenceLoss(layers: readonly number[], params: Float64Array, inputs: Float32Array[], actions: number[], targets: number[], delta: number): number {
  let loss = 0;
  inputs.forEach((x, b) => {
    const q = referenceForward(layers, params, x);
    loss += huberLoss(q[actions[b]!]! - targets[b]!, delta);
  });
  return loss / inputs.length;
}

function randomVector(n: number, random: () => number, scale = 1): Float32Array {
  return Float32Array.from({ length: n }, () => scale * standardNormal(random));
}

describe('Mlp', () => {
  it('lays out parameters as documented: W_l [out][in] then b_l, layer by layer', () => {
    const layers = [3, 4, 2];
    const net = new Mlp(layers);
    expect(net.parameters.length).toBe(parameterCount(layers));
    expect(parameterCount(layers)).toBe(3 * 4 + 4 + 4 * 2 + 2);
    expect([net.weightOffset(0), net.biasOffset(0), net.weightOffset(1), net.biasOffset(1)]).toEqual([0, 12, 16, 24]);
    net.parameters[net.weightOffset(1) + 1 * 4 + 2] = 1; // W_1[1][2]
    net.parameters[net.weightOffset(0) + 2 * 3 + 0] = 1; // W_0[2][0]
    net.parameters[net.biasOffset(1) + 0] = 0.5;
    expect(Array.from(net.forward(Float32Array.of(3, 0, 0)))).toEqual([0.5, 3]);
  });

  it('matches a float64 reference forward pass, and batch rows equal single forwards bit for bit', () => {
    const random = seededRandom(11);
    const layers = [13, 11, 9, 5];
    const net = new Mlp(layers, random);
    for (let k = 0; k < net.parameters.length; k++) net.parameters[k]! += 0.1 * standardNormal(random);
    const params = Float64Array.from(net.parameters);
    const batch = 7;
    const inputs = randomVector(batch * 13, random);
    const batchOut = Float32Array.from(net.forwardBatch(inputs));
    for (let b = 0; b < batch; b++) {
      const x = inputs.subarray(b * 13, b * 13 + 13);
      const single = net.forward(x, new Float32Array(5));
      const reference = referenceForward(layers, params, x);
      for (let j = 0; j < 5; j++) expect(Math.abs(single[j]! - reference[j]!)).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(reference[j]!)));
      expect(Array.from(batchOut.subarray(b * 5, b * 5 + 5))).toEqual(Array.from(single));
    }
  });

  it('He-initialises weights ~ N(0, 2 / fan_in) and biases to 0, reproducibly from the seed', () => {
    const a = new Mlp([400, 300, 2], seededRandom(3));
    const b = new Mlp([400, 300, 2], seededRandom(3));
    expect(Buffer.from(a.parameters.buffer).equals(Buffer.from(b.parameters.buffer))).toBe(true);
    const w = a.parameters.subarray(0, 400 * 300);
    const variance = w.reduce((s, v) => s + v * v, 0) / w.length;
    expect(variance).toBeCloseTo(2 / 400, 4);
    expect(a.parameters.subarray(a.biasOffset(0), a.biasOffset(0) + 300).every((v) => v === 0)).toBe(true);
  });

  it('backwardBatch + Huber gradient match float64 central differences on every parameter', () => {
    const random = seededRandom(5);
    const layers = [5, 9, 6, 3];
    const net = new Mlp(layers);
    for (let k = 0; k < net.parameters.length; k++) net.parameters[k] = 0.5 * standardNormal(random) + (k % 7 === 0 ? 0.3 : 0);
    const batch = 8;
    const inputs = Array.from({ length: batch }, () => randomVector(5, random));
    const actions = [0, 2, 1, 2, 0, 1, 1, 0];
    const delta = 1;
    const params64 = Float64Array.from(net.parameters);
    // Errors on both sides of the Huber threshold.
    const offsets = [2.5, 0.4, -0.3, -1.7, -3, 0.8, -0.6, 1.2];
    const targets = inputs.map((x, b) => referenceForward(layers, params64, x)[actions[b]!]! + offsets[b]!);

    const flat = new Float32Array(batch * 5);
    inputs.forEach((x, b) => flat.set(x, b * 5));
    const q = net.forwardBatch(flat);
    const outputGrads = new Float32Array(batch * 3);
    for (let b = 0; b < batch; b++) {
      const k = b * 3 + actions[b]!;
      outputGrads[k] = huberGradient(q[k]! - targets[b]!, delta) / batch;
    }
    const grad = new Float32Array(net.parameters.length);
    net.backwardBatch(flat, outputGrads, grad);

    const h = 1e-6;
    let nonZero = 0;
    for (let k = 0; k < params64.length; k++) {
      const saved = params64[k]!;
      params64[k] = saved + h;
      const up = referenceLoss(layers, params64, inputs, actions, targets, delta);
      params64[k] = saved - h;
      const down = referenceLoss(layers, params64, inputs, actions, targets, delta);
      params64[k] = saved;
      const numeric = (up - down) / (2 * h);
      if (numeric !== 0) nonZero++;
      expect(Math.abs(grad[k]! - numeric), `parameter ${k}: analytic ${grad[k]} numeric ${numeric}`).toBeLessThanOrEqual(1e-5 + 1e-4 * Math.abs(numeric));
    }
    // The check means something only if most parameters have a gradient.
    expect(nonZero).toBeGreaterThan(0.8 * params64.length);
  });

  it('accumulates into grad rather than overwriting it', () => {
    const net = new Mlp([3, 4, 2], seededRandom(1));
    const x = Float32Array.of(1, -2, 0.5);
    net.forwardBatch(x);
    const once = new Float32Array(net.parameters.length);
    net.backwardBatch(x, Float32Array.of(1, -1), once);
    const twice = new Float32Array(net.parameters.length);
    net.backwardBatch(x, Float32Array.of(1, -1), twice);
    net.backwardBatch(x, Float32Array.of(1, -1), twice);
    expect(Array.from(twice)).toEqual(Array.from(once, (v) => 2 * v));
  });

  it('copyFrom copies, softUpdateFrom averages, and both refuse a different shape', () => {
    const a = new Mlp([4, 3, 2], seededRandom(1));
    const b = new Mlp([4, 3, 2], seededRandom(2));
    const before = Float32Array.from(b.parameters);
    b.softUpdateFrom(a, 0.25);
    for (let k = 0; k < before.length; k++) expect(b.parameters[k]).toBeCloseTo(0.25 * a.parameters[k]! + 0.75 * before[k]!, 6);
    b.copyFrom(a);
    expect(Array.from(b.parameters)).toEqual(Array.from(a.parameters));
    expect(() => b.copyFrom(new Mlp([4, 5, 2]))).toThrow(/layers \[4, 5, 2\] differ from \[4, 3, 2\]/);
    expect(() => a.forward(new Float32Array(3))).toThrow(/expected 4 inputs, got 3/);
  });
});

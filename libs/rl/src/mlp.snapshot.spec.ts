import { seededRandom, standardNormal } from '@aset/determinism';
import { describe, expect, it } from 'vitest';
import { denseKernel } from './dense.kernel.js';
import { DqnAgent } from './dqn.agent.js';
import { Mlp } from './mlp.network.js';
import { MlpSnapshot } from './mlp.snapshot.js';

/** Inputs as a scheduler's state has them: many exact zeros (some negative), ones, and other values. */
function sparseInput(n: number, random: () => number): Float32Array {
  return Float32Array.from({ length: n }, () => {
    const r = random();
    if (r < 0.35) return 0;
    if (r < 0.4) return -0;
    if (r < 0.5) return 1;
    return 2 * standardNormal(random);
  });
}

function expectSameBits(a: Float32Array, b: Float32Array): void {
  expect(Array.from(b, (v) => Object.is(v, -0) ? '-0' : String(v))).toEqual(Array.from(a, (v) => Object.is(v, -0) ? '-0' : String(v)));
}

describe('MlpSnapshot', () => {
  it('has the WebAssembly SIMD kernel on this runtime (so the kernel cases below test it)', () => {
    expect(denseKernel(1024, true).dense).toBeTypeOf('function');
    expect(denseKernel(1024, false).dense).toBeUndefined();
  });

  it.each([
    [[82, 64, 64, 8], true],
    [[82, 64, 64, 8], false],
    [[55, 64, 64, 6], true],
    [[13, 20, 7, 3], true],
    [[13, 24, 16, 3], false],
    [[5, 9], true],
  ])('gives Mlp.forward bit for bit, layers %j, SIMD kernel %s', (layers, simd) => {
    const random = seededRandom(11);
    const net = new Mlp(layers, random);
    // Biases that leave some hidden outputs positive and some not.
    for (let l = 0; l < net.depth; l++) for (let j = 0; j < layers[l + 1]!; j++) net.parameters[net.biasOffset(l) + j] = 0.3 * standardNormal(random);
    const snapshot = new MlpSnapshot(net, simd);
    const out = new Float32Array(net.outputSize);
    for (let t = 0; t < 300; t++) {
      const x = sparseInput(net.inputSize, random);
      expectSameBits(net.forward(x), snapshot.forward(x, out));
    }
  });

  it.each([true, false])('keeps non-finite weights behind zero inputs (0 * Infinity is NaN), as Mlp does, SIMD kernel %s', (simd) => {
    const random = seededRandom(3);
    const net = new Mlp([6, 16, 4], random);
    net.parameters[net.weightOffset(0) + 2 * 6 + 1] = Infinity;
    net.parameters[net.weightOffset(0) + 4 * 6 + 3] = NaN;
    net.parameters[net.weightOffset(1) + 1 * 16 + 2] = -Infinity;
    const snapshot = new MlpSnapshot(net, simd);
    const out = new Float32Array(4);
    for (let t = 0; t < 50; t++) {
      const x = sparseInput(6, random);
      x[1] = 0;
      x[3] = 0;
      expectSameBits(net.forward(x), snapshot.forward(x, out));
    }
  });

  it('holds the parameters as they were when it was made', () => {
    const net = new Mlp([4, 8, 2], seededRandom(5));
    const snapshot = new MlpSnapshot(net);
    const x = Float32Array.of(1, 0.5, -0.25, 2);
    const before = Float32Array.from(net.forward(x));
    net.parameters.fill(0);
    expectSameBits(before, snapshot.forward(x, new Float32Array(2)));
  });

  it('backs DqnAgent.greedySnapshot: the same greedy action for every state and mask', () => {
    const agent = new DqnAgent({ stateSize: 30, actionCount: 8, hidden: [16, 16], seed: 9 });
    const greedy = agent.greedySnapshot();
    const random = seededRandom(2);
    for (let t = 0; t < 200; t++) {
      const x = sparseInput(30, random);
      const mask = Uint8Array.from({ length: 8 }, (_, a) => (a === 0 || random() < 0.6 ? 1 : 0));
      expect(greedy.greedy(x, mask)).toBe(agent.greedy(x, mask));
      expect(greedy.greedy(x)).toBe(agent.greedy(x));
    }
    expect(() => greedy.greedy(new Float32Array(30), new Uint8Array(8))).toThrow(/allows no action/);
    expect(() => greedy.greedy(new Float32Array(29))).toThrow(/expected 30 inputs/);
  });
});

import { describe, expect, it } from 'vitest';
import { Adam } from './adam.optimizer.js';

describe('Adam', () => {
  it('minimises an ill-conditioned quadratic', () => {
    const curvature = [100, 10, 1, 0.1];
    const optimum = [1, -2, 0.5, 3];
    const x = new Float32Array(4);
    const grad = new Float32Array(4);
    const f = () => x.reduce((s, v, i) => s + curvature[i]! * (v - optimum[i]!) ** 2, 0);
    const initial = f();
    const adam = new Adam(4, { lr: 0.05 });
    for (let t = 0; t < 3000; t++) {
      for (let i = 0; i < 4; i++) grad[i] = 2 * curvature[i]! * (x[i]! - optimum[i]!);
      adam.step(x, grad);
      if (t === 2000) adam.lr = 0.005;
    }
    expect(f()).toBeLessThan(1e-6 * initial);
    for (let i = 0; i < 4; i++) expect(x[i]).toBeCloseTo(optimum[i]!, 2);
    expect(adam.steps).toBe(3000);
  });

  it('corrects the moment bias: the first step moves every parameter by lr against its gradient', () => {
    const x = Float32Array.of(0, 0, 0);
    const adam = new Adam(3, { lr: 0.1 });
    adam.step(x, Float32Array.of(5, -0.001, 300));
    expect(x[0]).toBeCloseTo(-0.1, 6);
    expect(x[1]).toBeCloseTo(0.1, 4);
    expect(x[2]).toBeCloseTo(-0.1, 6);
  });

  it('clips the gradient to maxGradNorm in place and returns the norm before clipping', () => {
    const adam = new Adam(2, { lr: 0.1, maxGradNorm: 1 });
    const grad = Float32Array.of(3, 4);
    expect(adam.step(new Float32Array(2), grad)).toBe(5);
    expect(grad[0]).toBeCloseTo(0.6, 6);
    expect(grad[1]).toBeCloseTo(0.8, 6);
    const small = Float32Array.of(0.3, 0.4);
    expect(adam.step(new Float32Array(2), small)).toBeCloseTo(0.5, 6);
    expect(Array.from(small)).toEqual([Math.fround(0.3), Math.fround(0.4)]);
  });

  it('rejects invalid hyper-parameters and mismatched lengths', () => {
    expect(() => new Adam(2, { lr: 0 })).toThrow(/lr must be > 0/);
    expect(() => new Adam(2, { lr: 1, beta1: 1 })).toThrow(/beta1/);
    expect(() => new Adam(2, { lr: 1 }).step(new Float32Array(3), new Float32Array(2))).toThrow(/expected 2/);
  });
});

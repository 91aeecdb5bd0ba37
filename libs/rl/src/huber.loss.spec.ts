import { describe, expect, it } from 'vitest';
import { huberGradient, huberLoss } from './huber.loss.js';

describe('Huber loss', () => {
  it('is quadratic inside delta and linear outside, continuous at the threshold', () => {
    expect(huberLoss(0.5)).toBe(0.125);
    expect(huberLoss(-3)).toBe(2.5);
    expect(huberLoss(3, 2)).toBe(4);
    expect(huberLoss(1)).toBe(0.5);
    expect(huberLoss(1 + 1e-9)).toBeCloseTo(0.5, 8);
  });

  it('has the clipped error as gradient, matching central differences', () => {
    for (const delta of [1, 0.5, 2]) {
      for (const e of [-3.1, -0.7, -0.2, 0, 0.3, 0.9, 1.4, 5]) {
        const h = 1e-6;
        const numeric = (huberLoss(e + h, delta) - huberLoss(e - h, delta)) / (2 * h);
        expect(huberGradient(e, delta)).toBeCloseTo(numeric, 6);
      }
    }
    expect(huberGradient(10)).toBe(1);
    expect(huberGradient(-10, 0.5)).toBe(-0.5);
  });
});

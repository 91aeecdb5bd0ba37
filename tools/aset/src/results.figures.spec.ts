import { describe, expect, it } from 'vitest';
import { regenerateFigures } from './results.figures.js';

describe('regenerateFigures', () => {
  it('finds every committed figure current: each renders from its committed data, byte for byte, with the figure code of this commit', async () => {
    const figures = await regenerateFigures({ write: false });
    expect(figures.map((f) => f.file)).toEqual(
      expect.arrayContaining(['docs/results/standard-success.svg', 'docs/results/contention-success.svg', 'docs/results/learning-curve-aset.svg', 'docs/results/learning-curve-aset-direct.svg', 'checkpoints/demo.aset.curve.svg', 'checkpoints/seeds/suite-base.aset-direct.seed-2.curve.svg']),
    );
    // A stale figure: run `npm run -s results:figures` and commit what it writes.
    expect(figures.filter((f) => f.status !== 'current')).toEqual([]);
  }, 120_000);
});

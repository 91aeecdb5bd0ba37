import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { learningCurvesSection } from './learning-curves.section.js';

const agent = (mode: string, seed: number, checkpoint: string, shipped = false) => ({ mode, trainingSeed: seed, label: shipped ? mode : `${mode}@seed-${seed}`, checkpoint, shipped });

describe('learningCurvesSection', () => {
  it("draws each mode's evaluations over the committed training seeds as a band and tabulates each seed against the best static policy", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aset-curves-'));
    const md = await learningCurvesSection(
      [
        agent('aset-direct', 1, 'checkpoints/suite-base.aset-direct.json', true),
        agent('aset-direct', 2, 'checkpoints/seeds/suite-base.aset-direct.seed-2.json'),
        agent('aset-direct', 3, 'checkpoints/seeds/suite-base.aset-direct.seed-3.json'),
        agent('aset', 1, 'checkpoints/no-such.aset.json', true),
      ],
      dir,
    );
    expect(md).toContain('![aset-direct learning curve](results/learning-curve-aset-direct.svg)');
    expect(md.match(/^\| [123] \| \d+\.\d% \(\d+\) \| `[a-z-]+` \d+\.\d% \|$/gm)).toHaveLength(3);
    expect(md).toContain('`aset`: no curve (checkpoints/no-such.aset.curve.json missing).');
    const svg = readFileSync(join(dir, 'learning-curve-aset-direct.svg'), 'utf8');
    expect(svg).toContain('>aset-direct, mean of 3 seeds</text>');
    expect(svg).toContain('band: 95% confidence interval over the seeds');
    // One band (an area path), one mean line, one reference line.
    expect(svg.match(/class="mark-area role-mark/g)).toHaveLength(1);
    expect(svg.match(/class="mark-line role-mark/g)).toHaveLength(2);
  });
});

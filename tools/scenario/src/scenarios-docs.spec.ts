import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT } from '@aset/command-line';

const doc = () => readFileSync(join(REPO_ROOT, 'docs', 'scenarios.md'), 'utf8');
const demoText = () => readFileSync(join(REPO_ROOT, 'scenarios', 'demo.yaml'), 'utf8');

describe('docs/scenarios.md', () => {
  it('shows scenarios/demo.yaml as committed in its running example', () => {
    const section = doc().split('## The running example: `scenarios/demo.yaml`')[1] ?? '';
    const shown = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
    expect(shown, 'copy scenarios/demo.yaml into the running example of docs/scenarios.md').toBe(demoText());
  });

  it("gives the demo's links as a matrix that matches its links", () => {
    const demo = parse(demoText()) as { clusters: { id: string }[]; sources: { id: string }[]; links: { source: string; cluster: string; rttMs: number; bandwidthMbps: number; jitterMs: number }[] };
    const block = /```yaml\n(linkMatrix:[\s\S]*?)```/.exec(doc())?.[1];
    const matrix = (parse(block ?? '') as { linkMatrix: Record<'rttMs' | 'bandwidthMbps' | 'jitterMs', number[][]> }).linkMatrix;
    for (const field of ['rttMs', 'bandwidthMbps', 'jitterMs'] as const) {
      const expected = demo.sources.map((s) => demo.clusters.map((c) => demo.links.find((l) => l.source === s.id && l.cluster === c.id)?.[field]));
      expect(matrix[field], field).toEqual(expected);
    }
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '@aset/model-zoo';
import { lineChartSvg } from './line-chart.svg.js';

const checkpoint = (name: string) => join(REPO_ROOT, 'checkpoints', name);

/** The paths' `d` attributes, in document order. */
const paths = (svg: string) => [...svg.matchAll(/<path d="([^"]*)"/g)].map((m) => m[1]!);

describe('lineChartSvg', () => {
  it.each(['demo.aset', 'demo.aset-direct'])('reproduces the committed learning curve %s.curve.svg byte for byte from its .curve.json', (name) => {
    const run = JSON.parse(readFileSync(checkpoint(`${name}.curve.json`), 'utf8')) as {
      seed: number;
      mode: string;
      scenario: string;
      curve: { episode: number; trainSuccess: number; evalSuccess?: number }[];
      baselines: Record<string, number>;
    };
    const bestStatic = Object.entries(run.baselines).sort((a, b) => b[1] - a[1])[0]!;
    const episodes = Math.max(...run.curve.map((c) => c.episode));
    // The call tools/aset's train command makes.
    const svg = lineChartSvg({
      title: `${run.mode} on ${run.scenario}: learning curve (seed ${run.seed})`,
      xLabel: 'episode',
      yLabel: 'success ratio (SLO met)',
      series: [
        { label: 'training episode (exploring)', color: '#9bb7d4', points: run.curve.map((c) => [c.episode, c.trainSuccess]) },
        { label: 'evaluation (greedy)', color: '#1f5fa8', dots: true, points: run.curve.flatMap((c) => (c.evalSuccess === undefined ? [] : [[c.episode, c.evalSuccess] as [number, number]])) },
        { label: `best static: ${bestStatic[0]}`, color: '#c0392b', dashed: true, points: [[1, bestStatic[1]], [episodes, bestStatic[1]]] },
      ],
    });
    expect(svg).toBe(readFileSync(checkpoint(`${name}.curve.svg`), 'utf8'));
  });

  it('draws one path per non-empty series with one command per point, and a legend entry per series', () => {
    const svg = lineChartSvg({
      title: 'a <b> & "c"',
      xLabel: 'time (s)',
      yLabel: 'success',
      yMin: 0,
      series: [
        { label: 'closest', color: '#111111', points: [[0, 1], [1, 0.5], [2, 0.25]] },
        { label: 'empty', color: '#222222', points: [] },
        { label: 'x<y', color: '#333333', points: [[4, 0]] },
      ],
    });
    expect(paths(svg).map((d) => d.split(' ').length)).toEqual([3, 1]);
    expect(paths(svg)[0]).toMatch(/^M60\.0,40\.0 L/);
    expect(svg).toContain('>a &lt;b&gt; &amp; &quot;c&quot;</text>');
    expect(svg).toContain('>x&lt;y</text>');
    expect(svg).toContain('>empty</text>');
    // x from 0 to the largest x in 7 ticks; y from yMin to 100% in 6.
    expect([...svg.matchAll(/text-anchor="middle">([^<]*)<\/text>/g)].map((m) => m[1]).slice(0, 7)).toEqual(['0', '0.7', '1.3', '2', '2.7', '3.3', '4']);
    expect([...svg.matchAll(/text-anchor="end">([^<]*)<\/text>/g)].map((m) => m[1])).toEqual(['0%', '20%', '40%', '60%', '80%', '100%']);
  });

  it('spans y up to yMax with the ticks yTick labels, placing points on that scale', () => {
    const svg = lineChartSvg({ title: 't', xLabel: 'rate', yLabel: 'latency', yMin: 0, yMax: 200, yTick: (y) => `${y} ms`, series: [{ label: 'p99', color: '#000', points: [[0, 0], [10, 100], [20, 200]] }] });
    expect([...svg.matchAll(/text-anchor="end">([^<]*)<\/text>/g)].map((m) => m[1])).toEqual(['0 ms', '40 ms', '80 ms', '120 ms', '160 ms', '200 ms']);
    // Plot from y 40 (top) to 370 (bottom): 100 of 200 ms is half way, 205.0.
    expect(paths(svg)[0]).toBe('M60.0,370.0 L310.0,205.0 L560.0,40.0');
  });

  it('widens the legend on request, keeping the plot within the chart', () => {
    const svg = lineChartSvg({ title: 't', xLabel: 'x', yLabel: 'y', series: [{ label: 's', color: '#000', points: [[0, 0.5], [10, 1]] }], legendWidth: 300, width: 900 });
    expect(svg).toContain('<svg xmlns="http://www.w3.org/2000/svg" width="900" height="420"');
    expect(paths(svg)[0]).toMatch(/ L600\.0,40\.0$/);
  });

  it("shades a series' band under the lines: one polygon along the highs, back along the lows", () => {
    const svg = lineChartSvg({
      title: 't',
      xLabel: 'x',
      yLabel: 'y',
      yMin: 0,
      series: [{ label: 'mean over seeds', color: '#1f5fa8', points: [[0, 0.5], [10, 0.75]], band: [[0, 0.25, 0.75], [10, 0.5, 1]] }],
    });
    const polygons = [...svg.matchAll(/<polygon points="([^"]*)" fill="#1f5fa8" fill-opacity="0.18"/g)].map((m) => m[1]!.split(' '));
    expect(polygons).toHaveLength(1);
    // Plot: x 60..560 px, y 40 (100%)..370 (0%): highs left to right, then lows right to left.
    expect(polygons[0]).toEqual(['60.0,122.5', '560.0,40.0', '560.0,205.0', '60.0,287.5']);
    expect(svg.indexOf('<polygon')).toBeLessThan(svg.indexOf('<path'));
    expect(paths(svg)).toHaveLength(1);
  });
});

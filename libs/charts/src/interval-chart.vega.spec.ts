import { describe, expect, it } from 'vitest';
import { figureSvg } from './figure.render.js';
import { intervalChartSpec } from './interval-chart.vega.js';

const data = (spec: unknown) => (spec as { data: { values: Record<string, unknown>[] } }).data.values;

describe('intervalChartSpec', () => {
  const spec = intervalChartSpec({
    title: 'success',
    categories: ['calm', 'storm'],
    value: { title: 'success ratio', format: 'percent' },
    span: 0.2,
    series: [
      { label: 'closest', color: '#888', values: [{ mean: 0.99, low: 0.98, high: 1.01 }, { mean: 0.5, low: 0.45, high: 0.55 }] },
      { label: 'aset', color: '#c00', values: [undefined, { mean: 0.9, low: 0.6, high: 0.95 }] },
    ],
    markers: [{ label: 'capacity bound', color: '#000', values: [1, 0.97] }],
  });

  it('gives each category a panel with its own value range, each series its mean and interval, and each marker its rule', () => {
    expect(data(spec)).toEqual([
      { kind: 'series', category: 'calm', series: 'closest', mean: 0.99, low: 0.98, high: 1, clipped: null },
      // More than 20 points below the best of its panel: drawn at the panel's edge with its value.
      { kind: 'series', category: 'storm', series: 'closest', mean: 0.7, low: 0.7, high: 0.7, clipped: '◂ 50.0%' },
      { kind: 'series', category: 'storm', series: 'aset', mean: 0.9, low: 0.7, high: 0.95, clipped: null },
      { kind: 'marker', category: 'calm', marker: 'capacity bound', value: 1 },
      { kind: 'marker', category: 'storm', marker: 'capacity bound', value: 0.97 },
    ]);
    expect((spec as { resolve: unknown }).resolve).toEqual({ scale: { x: 'independent' }, axis: { x: 'independent' } });
  });

  it('renders every panel, series name, clipped value and marker', async () => {
    const svg = await figureSvg(spec);
    for (const text of ['calm', 'storm', 'closest', 'aset', '◂ 50.0%', 'capacity bound', 'success ratio']) expect(svg).toContain(`>${text}</text>`);
  });
});

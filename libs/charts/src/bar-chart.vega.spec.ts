import { describe, expect, it } from 'vitest';
import { figureSvg } from './figure.render.js';
import { barChartSpec } from './bar-chart.vega.js';

const data = (spec: unknown) => (spec as { data: { values: Record<string, unknown>[] } }).data.values;

describe('barChartSpec', () => {
  it('draws bars from zero, one per series and category that has a value, with tooltips naming them', async () => {
    const spec = barChartSpec({ title: 'util', categories: ['c1', 'c2'], xTitle: 'cluster', y: { title: 'utilisation', format: 'percent', domain: [0, 1] }, series: [{ label: 'r1', color: '#111', values: [0.5, undefined] }, { label: 'r2', color: '#222', values: [0.25, 1] }] });
    expect(data(spec)).toEqual([
      { category: 'c1', series: 'r1', value: 0.5 },
      { category: 'c1', series: 'r2', value: 0.25 },
      { category: 'c2', series: 'r2', value: 1 },
    ]);
    const svg = await figureSvg(spec);
    expect(svg.match(/role="graphics-symbol" aria-roledescription="bar"/g)).toHaveLength(3);
    // Each bar names its category, value and series (the SVG's accessible label; the dashboard shows the tooltip).
    expect(svg).toContain('aria-label="cluster: c1; utilisation: 50%; series: r1"');
  });
});

import { describe, expect, it } from 'vitest';
import { barChartSvg } from './bar-chart.svg.js';

describe('barChartSvg', () => {
  it('draws one titled bar per category and series, with a legend entry per series', () => {
    const svg = barChartSvg({
      title: 'utilisation',
      categories: ['c1', 'c2'],
      series: [
        { label: 'run-a', color: '#1f77b4', values: [0.5, 0.25] },
        { label: 'run-b', color: '#d62728', values: [1, 0] },
      ],
    });
    expect([...svg.matchAll(/<title>([^<]*)<\/title>/g)].map((m) => m[1])).toEqual(['c1 / run-a: 50.0%', 'c1 / run-b: 100.0%', 'c2 / run-a: 25.0%', 'c2 / run-b: 0.0%']);
    expect(svg).toContain('>run-a</text>');
    expect(svg).toContain('>run-b</text>');
  });

  it('widens the gaps between groups to reach a least width', () => {
    const chart = (minWidth?: number) => barChartSvg({ title: 't', categories: ['c1', 'c2'], series: [{ label: 's', color: '#000', values: [0.5, 1] }], ...(minWidth ? { minWidth } : {}) });
    expect(chart()).toMatch(/^<svg [^>]* width="322"/);
    expect(chart(646)).toMatch(/^<svg [^>]* width="646"/);
  });
});

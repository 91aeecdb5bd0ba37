import { describe, expect, it } from 'vitest';
import { cdfChartSvg } from './cdf-chart.svg.js';

describe('cdfChartSvg', () => {
  it('plots each distribution in order of value, y from 0% to 100%, x up to the largest value', () => {
    const svg = cdfChartSvg({
      title: 'latency CDF',
      series: [
        { label: 'closest', color: '#1f77b4', points: [[50, 1], [10, 0], [30, 0.5]] },
        { label: 'random', color: '#d62728', points: [[15, 0.5], [25, 1]] },
      ],
    });
    const d = [...svg.matchAll(/<path d="([^"]*)"/g)].map((m) => m[1]!.split(' '));
    expect(d.map((cmds) => cmds.length)).toEqual([3, 2]);
    const xs = d[0]!.map((c) => Number(c.slice(1).split(',')[0]));
    expect(xs).toEqual([...xs].sort((a, b) => a - b));
    expect([...svg.matchAll(/text-anchor="end">([^<]*)<\/text>/g)].map((m) => m[1])).toEqual(['0%', '20%', '40%', '60%', '80%', '100%']);
    const xTicks = [...svg.matchAll(/text-anchor="middle">([^<]*)<\/text>/g)].map((m) => m[1]).slice(0, 7);
    expect(xTicks[0]).toBe('0');
    expect(xTicks[6]).toBe('50');
    expect(svg).toContain('>latency (ms)</text>');
  });
});

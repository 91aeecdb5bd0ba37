import { describe, expect, it } from 'vitest';
import { figureSvg } from './figure.render.js';
import { lineChartSpec } from './line-chart.vega.js';
import { cdfChartSpec } from './cdf-chart.vega.js';

interface Layer {
  mark: { type: string; text?: string; color?: string };
  data?: { values: Record<string, unknown>[] };
  encoding: Record<string, { datum?: number; scale?: Record<string, unknown>; axis?: Record<string, unknown> }>;
}
const layers = (spec: unknown) => (spec as { layer: Layer[] }).layer;
/** The tick labels of the axis whose title is `title`, in document order. */
function ticks(svg: string, title: string): string[] {
  const axis = svg.split('class="mark-group role-axis"').find((part) => part.includes(`>${title}</text>`)) ?? '';
  const labels = axis.split('role-axis-label')[1] ?? '';
  return [...labels.split('role-axis-domain')[0]!.matchAll(/>([^<>]+)<\/text>/g)].map((m) => m[1]!);
}

describe('lineChartSpec', () => {
  const series = [
    { label: 'mean', color: '#1f5fa8', dots: true, points: [[1, 0.9], [10, 0.95], [20, 0.97]] as [number, number][], band: [[1, 0.88, 0.92], [10, 0.93, 0.97], [20, 0.96, 1.02]] as [number, number, number][] },
    { label: 'best static', color: '#c0392b', dashed: true, points: [[1, 0.96], [20, 0.96]] as [number, number][] },
    { label: 'empty', color: '#000', points: [] },
  ];

  it('draws each series in its colour and dash, in the order given, its band and dots in its colour, and markers as labelled rules', async () => {
    const spec = lineChartSpec({ title: 'curve', x: { title: 'episode' }, y: { title: 'success ratio', format: 'percent' }, series, markers: [{ axis: 'x', value: 12, label: 'switch' }, { axis: 'y', value: 0.99, label: 'bound' }] });
    const ls = layers(spec);
    const line = ls.find((l) => l.mark.type === 'line')!;
    expect(line.encoding['color']!.scale).toEqual({ domain: ['mean', 'best static', 'empty'], range: ['#1f5fa8', '#c0392b', '#000'] });
    expect(line.encoding['strokeDash']!.scale!['range']).toEqual([[1, 0], [6, 4], [1, 0]]);
    expect(line.data!.values.filter((v) => v['series'] === 'mean').map((v) => v['y'])).toEqual([0.9, 0.95, 0.97]);
    // The band in the series' colour, clamped to 100% on a percent axis; dots for the dotted series only.
    const band = ls.find((l) => l.mark.type === 'area')!;
    expect(band.mark.color).toBe('#1f5fa8');
    expect(band.data!.values.at(-1)).toEqual({ series: 'mean', x: 20, low: 0.96, high: 1 });
    expect(ls.filter((l) => l.mark.type === 'point').map((l) => l.mark.color)).toEqual(['#1f5fa8']);
    expect(ls.filter((l) => l.mark.type === 'rule').map((l) => Object.keys(l.encoding)[0])).toEqual(['x', 'y']);
    expect(ls.filter((l) => l.mark.type === 'text').map((l) => l.mark.text)).toEqual(['switch', 'bound']);

    const svg = await figureSvg(spec);
    for (const label of ['mean', 'best static', 'switch', 'bound', 'episode', 'success ratio']) expect(svg).toContain(`>${label}</text>`);
    // Rounded ticks: whole percentages and whole episodes.
    const y = ticks(svg, 'success ratio');
    expect(y.length).toBeGreaterThanOrEqual(4);
    for (const t of y) expect(t).toMatch(/^\d+%$/);
    for (const t of ticks(svg, 'episode')) expect(t).toMatch(/^\d+$/);
    // The y axis spans the data (88% to 100%), not 0 to 100%.
    expect(y[0]).toBe('88%');
    expect(y.at(-1)).toBe('100%');
  });

  it('on a log axis, leaves out the points and markers it cannot show and labels decades', async () => {
    const spec = lineChartSpec({ title: 'latency', x: { title: 'rate (queries/s)' }, y: { title: 'latency (ms)', scale: 'log' }, series: [{ label: 'p99', color: '#000', points: [[1, 0], [2, 3], [3, 40], [4, 900]] }], markers: [{ axis: 'y', value: 0, label: 'never' }, { axis: 'y', value: 50, label: 'SLO 50 ms' }] });
    const ls = layers(spec);
    expect(ls.find((l) => l.mark.type === 'line')!.data!.values.map((v) => v['y'])).toEqual([3, 40, 900]);
    expect(ls.filter((l) => l.mark.type === 'text').map((l) => l.mark.text)).toEqual(['SLO 50 ms']);
    const svg = await figureSvg(spec);
    expect(ticks(svg, 'latency (ms)').filter((t) => t !== '')).toEqual(expect.arrayContaining(['10', '100']));
  });

  it('labels plain numbers as decimals with thousands separators, never SI prefixes (0.1 ms is not 100m)', async () => {
    const svg = await figureSvg(lineChartSpec({ title: 'wide', x: { title: 'time (s)' }, y: { title: 'latency (ms)', scale: 'log' }, series: [{ label: 'p99', color: '#000', points: [[0, 0.2], [50, 3], [100, 1500]] }] }));
    const y = ticks(svg, 'latency (ms)').filter((t) => t !== '');
    expect(y).toEqual(expect.arrayContaining(['0.1', '1', '1,000']));
    expect(ticks(svg, 'time (s)')).toEqual(expect.arrayContaining(['20', '100']));
    for (const t of [...y, ...ticks(svg, 'time (s)')]) expect(t).toMatch(/^[\d,.]+$/);
  });
});

describe('cdfChartSpec', () => {
  it('puts latency on a log axis and the fraction on 0-100%, joining the points in order of value', async () => {
    const spec = cdfChartSpec({ title: 'cdf', series: [{ label: 'a', color: '#000', points: [[50, 0.99], [1, 0], [5, 0.8], [2, 0.3]] }], markers: [{ axis: 'x', value: 40, label: 'SLO 40 ms' }] });
    const line = layers(spec).find((l) => l.mark.type === 'line')!;
    expect(line.encoding['x']!.scale!['type']).toBe('log');
    expect(line.encoding['y']!.scale!['domain']).toEqual([0, 1]);
    expect(line.data!.values.map((v) => v['x'])).toEqual([1, 2, 5, 50]);
    const svg = await figureSvg(spec);
    const y = ticks(svg, 'fraction at or below');
    expect(y[0]).toBe('0%');
    expect(y.at(-1)).toBe('100%');
    expect(svg).toContain('>SLO 40 ms</text>');
  });
});

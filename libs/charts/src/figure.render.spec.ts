import { describe, expect, it } from 'vitest';
import { FigureSpecError, figureSvg, type FigureSpec } from './figure.render.js';
import { lineChartSpec } from './line-chart.vega.js';

describe('figureSvg', () => {
  it('renders a self-contained SVG document: no script, no reference outside the SVG namespaces', async () => {
    const svg = await figureSvg(lineChartSpec({ title: 'a <b> & "c"', x: { title: 'time (s)' }, y: { title: 'success', format: 'percent' }, series: [{ label: 'x & y', color: '#123456', points: [[0, 0.5], [1, 0.75]] }] }));
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).not.toMatch(/<script|<foreignObject|<image/);
    expect([...new Set(svg.match(/[a-z]+:\/\/[^"'\s<>]*/gi))].sort()).toEqual(['http://www.w3.org/1999/xlink', 'http://www.w3.org/2000/svg']);
    // Text is escaped, never markup.
    expect(svg).toContain('>a &lt;b&gt; &amp; "c"</text>');
    expect(svg).toContain('>x &amp; y</text>');
  });

  it('throws a FigureSpecError naming the problem when Vega-Lite would have to correct the spec, instead of drawing something else', async () => {
    const bad = { data: { values: [{ x: 1 }] }, mark: 'point', encoding: { x: { field: 'x', type: 'quantitative', scale: { type: 'log', zero: true } } } } as unknown as FigureSpec;
    await expect(figureSvg(bad)).rejects.toThrow(FigureSpecError);
    await expect(figureSvg(bad)).rejects.toThrow(/zero.*log/);
  });

  it('renders the same spec to the same bytes every time', async () => {
    const spec = lineChartSpec({ title: 't', x: { title: 'x' }, y: { title: 'y', scale: 'log' }, series: [{ label: 's', color: '#000', dots: true, points: [[1, 1], [2, 10], [3, 100]] }] });
    expect(await figureSvg(spec)).toBe(await figureSvg(spec));
  });
});

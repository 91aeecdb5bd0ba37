import { FIGURE_SIZE, figureFrame } from './figure.theme.js';
import { axisEncoding, clampToAxis, drawable, type FigureAxis, type FigureMarker } from './figure.axis.js';
import type { FigureSpec } from './figure.render.js';

/** One series of a line chart: points (x, y) in the order to join them. */
export interface Series {
  label: string;
  color: string;
  points: readonly (readonly [number, number])[];
  dashed?: boolean;
  /** Draw a dot at each point (for sparse series). */
  dots?: boolean;
  /** A shaded band around the line: (x, low, high), e.g. a 95% confidence interval over seeds. */
  band?: readonly (readonly [number, number, number])[];
}

export interface LineChartOptions {
  title: string;
  subtitle?: string | readonly string[];
  x: FigureAxis;
  y: FigureAxis;
  series: readonly Series[];
  /** Reference rules (SLO deadlines, bounds), drawn under the lines with their labels. */
  markers?: readonly FigureMarker[];
  /** Plot area, px (default {@link FIGURE_SIZE}). */
  width?: number;
  height?: number;
}

const DASH = [6, 4];
const SOLID = [1, 0];

/**
 * A line chart as a Vega-Lite spec: one line per non-empty series in its colour (dashed where
 * asked) with its legend entry, in the order given; each band as a translucent area in its series'
 * colour under the lines; each marker as a dashed rule with its label. Points that a log axis cannot
 * show are left out. The data is inline: the spec renders alone ({@link figureSvg}) or in the dashboard.
 */
export function lineChartSpec(o: LineChartOptions): FigureSpec {
  const labels = o.series.map((s) => s.label);
  const colors = o.series.map((s) => s.color);
  const dashes = o.series.map((s) => (s.dashed ? DASH : SOLID));
  const ok = (x: number, y: number) => drawable(o.x, x) && drawable(o.y, y);
  const lines = o.series.flatMap((s) => s.points.filter(([x, y]) => ok(x, y)).map(([x, y], order) => ({ series: s.label, x, y: clampToAxis(o.y, y), order, dots: s.dots === true })));
  const bands = o.series.flatMap((s) => (s.band ?? []).filter(([x, low, high]) => ok(x, low) && ok(x, high)).map(([x, low, high]) => ({ series: s.label, x, low: clampToAxis(o.y, low), high: clampToAxis(o.y, high) })));
  const x = axisEncoding(o.x);
  const y = axisEncoding(o.y);
  const xEnc = { field: 'x', type: 'quantitative', ...x };
  const color = { field: 'series', type: 'nominal', scale: { domain: labels, range: colors }, legend: { title: null, symbolType: 'stroke', labelLimit: 0 } };
  const layer: Record<string, unknown>[] = [];
  // Bands and dots take their series' colour as a constant, one layer per series: only the lines make the legend.
  for (const s of o.series) {
    const values = bands.filter((b) => b.series === s.label);
    if (values.length > 0) layer.push({ data: { values }, mark: { type: 'area', color: s.color, opacity: 0.18 }, encoding: { x: xEnc, y: { field: 'low', type: 'quantitative', ...y }, y2: { field: 'high' } } });
  }
  for (const m of o.markers ?? []) layer.push(...markerLayers(m, o.x, o.y));
  layer.push({
    data: { values: lines },
    mark: { type: 'line', strokeWidth: 2 },
    encoding: {
      x: xEnc,
      y: { field: 'y', type: 'quantitative', ...y },
      order: { field: 'order', type: 'quantitative' },
      color,
      strokeDash: { field: 'series', type: 'nominal', scale: { domain: labels, range: dashes }, legend: { title: null, labelLimit: 0 } },
    },
  });
  for (const s of o.series) {
    const values = lines.filter((p) => p.dots && p.series === s.label);
    if (values.length > 0) layer.push({ data: { values }, mark: { type: 'point', filled: true, size: 28, opacity: 1, strokeWidth: 0, color: s.color }, encoding: { x: xEnc, y: { field: 'y', type: 'quantitative', ...y } } });
  }
  return {
    ...figureFrame(o.title, o.subtitle),
    width: o.width ?? FIGURE_SIZE.width,
    height: o.height ?? FIGURE_SIZE.height,
    layer,
  } as unknown as FigureSpec;
}

/** A dashed rule at a marker's value and its label at the plot's edge; nothing when the axis cannot show the value. */
export function markerLayers(m: FigureMarker, xAxis: FigureAxis, yAxis: FigureAxis): Record<string, unknown>[] {
  const axis = m.axis === 'x' ? xAxis : yAxis;
  if (!drawable(axis, m.value)) return [];
  const color = m.color ?? '#333';
  const enc = m.axis === 'x' ? { x: { datum: m.value, type: 'quantitative', ...axisEncoding(xAxis) } } : { y: { datum: m.value, type: 'quantitative', ...axisEncoding(yAxis) } };
  const text =
    m.axis === 'x'
      ? { mark: { type: 'text', text: m.label, align: 'left', baseline: 'top', dx: 4, y: 2, fontSize: 10, color }, encoding: enc }
      : { mark: { type: 'text', text: m.label, align: 'right', baseline: 'bottom', dy: -3, x: 'width', fontSize: 10, color }, encoding: enc };
  return [{ data: { values: [{}] }, mark: { type: 'rule', strokeDash: [4, 3], strokeWidth: 1.5, color }, encoding: enc }, { data: { values: [{}] }, ...text }];
}

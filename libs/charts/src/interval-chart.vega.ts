import { figureFrame } from './figure.theme.js';
import { axisEncoding, clampToAxis, type FigureAxis } from './figure.axis.js';
import type { FigureSpec } from './figure.render.js';

export interface IntervalSeries {
  label: string;
  color: string;
  /** Per category (in the categories' order): the mean and its interval, or undefined to leave it out. */
  values: readonly ({ mean: number; low: number; high: number } | undefined)[];
}

/** A reference value per category (e.g. a capacity bound), drawn as a dashed rule across its panel. */
export interface CategoryMarker {
  label: string;
  color: string;
  values: readonly (number | undefined)[];
}

/**
 * Means with confidence intervals as a forest plot, one small panel per category, each with its
 * own value range (figures close to a ceiling differ by tenths of a point, which a shared axis from
 * zero would hide): the series down the side in the order given, each as a dot in its colour with
 * its interval as a whisker, and each marker as a dashed vertical rule in its panel, named in the
 * legend. `value` titles the value axis (with its unit); up to `columns` panels per row (default 3).
 * With `span`, a panel's axis reaches at most `span` below its best mean: a series whose mean lies
 * further down is drawn at that edge with its value written beside it, so a few far-off policies
 * do not squeeze the close ones together.
 */
export function intervalChartSpec(o: { title: string; subtitle?: string | readonly string[]; categories: readonly string[]; value: FigureAxis; series: readonly IntervalSeries[]; markers?: readonly CategoryMarker[]; columns?: number; panelWidth?: number; span?: number }): FigureSpec {
  const rows = o.categories.flatMap((category, i) => {
    const present = o.series.flatMap((s) => (s.values[i] === undefined ? [] : [{ s, v: clampedInterval(o.value, s.values[i] as { mean: number; low: number; high: number }) }]));
    const floor = o.span === undefined ? -Infinity : Math.max(...present.map((p) => p.v.mean)) - o.span;
    return present.map(({ s, v }) =>
      v.mean < floor
        ? { kind: 'series', category, series: s.label, mean: floor, low: floor, high: floor, clipped: `◂ ${formatValue(o.value, v.mean)}` }
        : { kind: 'series', category, series: s.label, ...v, low: Math.max(floor, v.low), clipped: null },
    );
  });
  const marks = (o.markers ?? []).flatMap((m) => o.categories.flatMap((category, i) => (m.values[i] === undefined ? [] : [{ kind: 'marker', category, marker: m.label, value: m.values[i] }])));
  const v = axisEncoding(o.value);
  const scale = { ...v.scale, domainMax: undefined, nice: true, zero: false };
  const value = (field: string) => ({ field, type: 'quantitative', title: o.value.title, axis: { ...v.axis, tickCount: 4 }, scale });
  const order = o.series.map((s) => s.label);
  const y = { field: 'series', type: 'nominal', sort: order, title: null, scale: { domain: order }, axis: { labelLimit: 0 } };
  const color = { field: 'series', type: 'nominal', scale: { domain: order, range: o.series.map((s) => s.color) }, legend: null };
  const layer: Record<string, unknown>[] = [
    { transform: [{ filter: "datum.kind === 'series'" }], mark: { type: 'rule', strokeWidth: 1.5 }, encoding: { y, x: value('low'), x2: { field: 'high' }, color } },
    {
      transform: [{ filter: "datum.kind === 'series' && datum.clipped !== null" }],
      mark: { type: 'text', align: 'left', dx: 2, fontSize: 10, color: '#555' },
      encoding: { y, x: value('mean'), text: { field: 'clipped', type: 'nominal' } },
    },
    {
      transform: [{ filter: "datum.kind === 'series' && datum.clipped === null" }],
      mark: { type: 'point', filled: true, size: 36, opacity: 1, strokeWidth: 0 },
      encoding: {
        y,
        x: value('mean'),
        fill: color,
        tooltip: [
          { field: 'category', type: 'nominal' },
          { field: 'series', type: 'nominal' },
          { field: 'mean', type: 'quantitative', format: '.2%' },
          { field: 'low', type: 'quantitative', format: '.2%', title: '95% CI low' },
          { field: 'high', type: 'quantitative', format: '.2%', title: '95% CI high' },
        ],
      },
    },
  ];
  if (marks.length > 0)
    layer.unshift({
      transform: [{ filter: "datum.kind === 'marker'" }],
      mark: { type: 'rule', strokeDash: [4, 3], strokeWidth: 1.5 },
      encoding: {
        x: value('value'),
        stroke: { field: 'marker', type: 'nominal', scale: { domain: (o.markers ?? []).map((m) => m.label), range: (o.markers ?? []).map((m) => m.color) }, legend: { title: null, symbolType: 'stroke', symbolDash: [4, 3], orient: 'bottom' } },
      },
    });
  return {
    ...figureFrame(o.title, o.subtitle),
    data: { values: [...rows, ...marks] },
    columns: o.columns ?? 3,
    facet: { field: 'category', type: 'nominal', sort: [...o.categories], title: null },
    spec: { width: o.panelWidth ?? 180, height: { step: 14 }, layer },
    resolve: { scale: { x: 'independent' }, axis: { x: 'independent' } },
  } as unknown as FigureSpec;
}

function formatValue(axis: FigureAxis, v: number): string {
  return axis.format === 'percent' ? `${(v * 100).toFixed(1)}%` : String(Number(v.toPrecision(3)));
}

function clampedInterval(axis: FigureAxis, v: { mean: number; low: number; high: number }) {
  return { mean: clampToAxis(axis, v.mean), low: clampToAxis(axis, v.low), high: clampToAxis(axis, v.high) };
}

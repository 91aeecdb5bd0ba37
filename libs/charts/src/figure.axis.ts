/** How a figure's axis shows its values. */
export interface FigureAxis {
  /** Axis title with its unit, e.g. `latency (ms)`. */
  title: string;
  /** `log` for latencies and rates that span decades (values ≤ 0 are left out); default `linear`. */
  scale?: 'linear' | 'log';
  /** `percent` for ratios in [0, 1] (ticks like 95%, 99.5%); `number` (default) for plain decimals with thousands separators (0.1, 20, 1,500: never SI prefixes, which would read 100m for 0.1 ms). */
  format?: 'percent' | 'number';
  /** Fixed extent; without it the axis spans the data, rounded out to nice ticks (percent axes never beyond 100%). */
  domain?: readonly [number, number];
}

/** A reference value drawn across the plot as a dashed rule with its label, e.g. an SLO deadline or a capacity bound. */
export interface FigureMarker {
  /** `x`: a vertical rule at `value` on the x axis; `y`: a horizontal one. */
  axis: 'x' | 'y';
  value: number;
  label: string;
  /** Default dark grey. */
  color?: string;
}

/** The Vega-Lite scale and axis properties of a {@link FigureAxis}. */
export function axisEncoding(axis: FigureAxis): { scale: Record<string, unknown>; axis: Record<string, unknown>; title: string } {
  const log = axis.scale === 'log';
  const percent = axis.format === 'percent';
  const scale: Record<string, unknown> = log ? { type: 'log', nice: true } : { type: 'linear', zero: false, nice: true };
  if (axis.domain) Object.assign(scale, { domain: [...axis.domain], nice: false });
  else if (percent && !log) scale['domainMax'] = 1;
  return { scale, axis: { format: percent ? '~%' : ',~r', ...(log ? { tickCount: 6 } : {}) }, title: axis.title };
}

/** `value` as `axis` can show it: a percent axis holds [0, 1] (a 95% interval of a mean near 100% can reach past it). */
export const clampToAxis = (axis: FigureAxis, value: number): number => (axis.format === 'percent' ? Math.min(1, Math.max(0, value)) : value);

/** Whether `value` can be drawn on `axis` (a log axis has no place for values ≤ 0). */
export const drawable = (axis: FigureAxis, value: number): boolean => Number.isFinite(value) && (axis.scale !== 'log' || value > 0);

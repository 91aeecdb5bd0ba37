import { categoryColor, lineChartSpec, type FigureMarker, type FigureSpec, type Series } from '@aset/charts';

/** Where a sweep ran: the discrete-event simulator or the live testbed. */
export type SweepMode = 'sim' | 'live';

/** One offered rate of a sweep and what the scenario's measured queries got at it. */
export interface SweepPoint {
  mode: SweepMode;
  /** Offered rate, queries/s (the scenario's arrival rates scaled so that their long-run total is this). */
  rate: number;
  /** Latency percentiles of the completed queries, ms; null when none completed. */
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  /** Share of the measured queries that met their SLO, in [0, 1]. */
  success: number;
  dropped: number;
  timedOut: number;
  queries: number;
}

/**
 * The knee rule's bounds: p99 at most `p99Factor` times its value at the lowest rate, and a success
 * ratio at most `successDrop` (a share: 0.05 is 5 points) below the lowest rate's.
 */
export const KNEE_RULE = { p99Factor: 2, successDrop: 0.05 } as const;

/**
 * The knee of a sweep: going up the rates from the lowest, the last rate before the first that
 * breaks the curve, a rate breaking it when its p99 is above `KNEE_RULE.p99Factor` times the
 * lowest rate's p99 (or nothing completed), or its success ratio is more than
 * `KNEE_RULE.successDrop` below the lowest rate's. `rate` is null when the lowest rate has no p99
 * (nothing completed: there is no reference); `brokenBy` is null when no rate broke the curve, the
 * knee then being the highest rate swept (the sweep did not reach it). Points of one mode; any order.
 */
export function kneeOf(points: readonly SweepPoint[]): { rate: number | null; brokenBy: { rate: number; reason: string } | null } {
  const sorted = [...points].sort((a, b) => a.rate - b.rate);
  const first = sorted[0];
  if (!first || first.p99Ms === null) return { rate: null, brokenBy: null };
  const p99Bound = KNEE_RULE.p99Factor * first.p99Ms;
  const successBound = first.success - KNEE_RULE.successDrop;
  let knee = first.rate;
  for (const p of sorted.slice(1)) {
    const reasons: string[] = [];
    if (p.p99Ms === null) reasons.push('no query completed');
    else if (p.p99Ms > p99Bound) reasons.push(`p99 ${p.p99Ms.toFixed(1)} ms > ${KNEE_RULE.p99Factor}x ${first.p99Ms.toFixed(1)} ms at ${first.rate}/s`);
    // A small tolerance keeps a drop of exactly the bound (e.g. 0.95 - 0.90) from failing on rounding.
    if (p.success < successBound - 1e-9) reasons.push(`success ${(p.success * 100).toFixed(1)}% is more than ${KNEE_RULE.successDrop * 100} points below ${(first.success * 100).toFixed(1)}% at ${first.rate}/s`);
    if (reasons.length > 0) return { rate: knee, brokenBy: { rate: p.rate, reason: reasons.join('; ') } };
    knee = p.rate;
  }
  return { rate: knee, brokenBy: null };
}

/** The CSV header of sweep.csv, in column order. */
export const SWEEP_CSV_COLUMNS = ['mode', 'rate', 'p50Ms', 'p95Ms', 'p99Ms', 'success', 'dropped', 'timedOut', 'queries'] as const;

/** sweep.csv: the header, then one row per point in the order given; a missing percentile is an empty cell. */
export function sweepCsv(points: readonly SweepPoint[]): string {
  const cell = (v: number | null) => (v === null ? '' : String(v));
  const rows = points.map((p) => [p.mode, p.rate, cell(p.p50Ms), cell(p.p95Ms), cell(p.p99Ms), p.success, p.dropped, p.timedOut, p.queries].join(','));
  return `${[SWEEP_CSV_COLUMNS.join(','), ...rows].join('\n')}\n`;
}

/**
 * Reads a sweep.csv that {@link sweepCsv} wrote. Throws, naming `origin` and the line, on another
 * header, a row of another width, a mode other than sim or live, or a cell that is not a number
 * (a percentile may be empty).
 */
export function parseSweepCsv(text: string, origin: string): SweepPoint[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines[0] !== SWEEP_CSV_COLUMNS.join(',')) throw new Error(`${origin}:1: expected the header "${SWEEP_CSV_COLUMNS.join(',')}" of a sweep.csv, got "${lines[0] ?? ''}"`);
  return lines.slice(1).map((line, i) => {
    const where = `${origin}:${i + 2}`;
    const cells = line.split(',');
    if (cells.length !== SWEEP_CSV_COLUMNS.length) throw new Error(`${where}: expected ${SWEEP_CSV_COLUMNS.length} cells, got ${cells.length}`);
    const [mode, ...rest] = cells as [string, ...string[]];
    if (mode !== 'sim' && mode !== 'live') throw new Error(`${where}: mode must be sim or live, got "${mode}"`);
    const num = (k: number, optional = false): number | null => {
      const v = rest[k] as string;
      if (optional && v === '') return null;
      const n = Number(v);
      if (v === '' || !Number.isFinite(n)) throw new Error(`${where}: ${SWEEP_CSV_COLUMNS[k + 1]} must be a number, got "${v}"`);
      return n;
    };
    return { mode, rate: num(0) as number, p50Ms: num(1, true), p95Ms: num(2, true), p99Ms: num(3, true), success: num(4) as number, dropped: num(5) as number, timedOut: num(6) as number, queries: num(7) as number };
  });
}

const PERCENTILES = [
  ['p50', 'p50Ms'],
  ['p95', 'p95Ms'],
  ['p99', 'p99Ms'],
] as const;

/**
 * The latency-vs-rate figure: per mode present (in order of first appearance), one line per
 * percentile (p50, p95, p99) over the rates where it exists, labelled "<mode> <percentile>", a
 * percentile's colour shared across modes and every mode after the first dashed; latency on a log
 * axis (a knee turns milliseconds into seconds); each distinct SLO deadline (`sloMs`) as a
 * horizontal rule and the knee, when there is one, as a vertical rule.
 */
export function sweepFigure(points: readonly SweepPoint[], title: string, options: { sloMs?: readonly number[]; kneeRate?: number | null } = {}): FigureSpec {
  const modes = [...new Set(points.map((p) => p.mode))];
  const series: Series[] = modes.flatMap((mode, m) =>
    PERCENTILES.map(([label, key], k) => ({
      label: `${mode} ${label}`,
      color: categoryColor(k),
      dashed: m > 0,
      dots: true,
      points: points
        .filter((p) => p.mode === mode && p[key] !== null)
        .sort((a, b) => a.rate - b.rate)
        .map((p) => [p.rate, p[key] as number] as [number, number]),
    })),
  );
  const markers: FigureMarker[] = [...new Set(options.sloMs ?? [])].sort((a, b) => a - b).map((ms) => ({ axis: 'y', value: ms, label: `SLO ${ms} ms` }));
  if (options.kneeRate !== undefined && options.kneeRate !== null) markers.push({ axis: 'x', value: options.kneeRate, label: `knee ${options.kneeRate}/s`, color: '#7b2cbf' });
  return lineChartSpec({
    title,
    subtitle: 'latency percentiles of completed queries at each offered rate',
    x: { title: 'offered rate (queries/s)' },
    y: { title: 'latency (ms)', scale: 'log' },
    series,
    markers,
  });
}

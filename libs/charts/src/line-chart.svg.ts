import { escapeMarkup as esc } from './svg.markup.js';

/** One series of a line chart: points (x, y) with y in the chart's [yMin, yMax] ([0, 1] by default). */
export interface Series {
  label: string;
  color: string;
  points: [number, number][];
  dashed?: boolean;
  /** Draw dots at the points (for sparse series). */
  dots?: boolean;
  /** A shaded band around the line: (x, low, high) triples, e.g. the range over training seeds. */
  band?: [number, number, number][];
}

/**
 * A self-contained SVG line chart (no scripts, no external fonts): x from the data (from
 * min(0, smallest x) to max(1, largest x), 7 ticks), y between `yMin` and `yMax` (default 1), its 6
 * ticks labelled by `yTick` (default: as a percentage; e.g. latency in ms with `yMax` its top), with
 * a legend right of the plot (`legendWidth` px, default 200). Each non-empty series is one `<path>`
 * with one M/L command per point; the chart has no other `<path>`. A series' `band` is one
 * translucent `<polygon>` in its color, drawn under every line. Used for learning curves, result
 * plots and the metrics store's reports.
 */
export function lineChartSvg(options: { title: string; xLabel: string; yLabel: string; series: Series[]; yMin?: number; yMax?: number; yTick?: (y: number) => string; width?: number; height?: number; legendWidth?: number }): string {
  const W = options.width ?? 760;
  const H = options.height ?? 420;
  const m = { left: 60, right: options.legendWidth ?? 200, top: 40, bottom: 50 };
  const xs = options.series.flatMap((s) => [...s.points.map((p) => p[0]), ...(s.band ?? []).map((b) => b[0])]);
  const xMin = Math.min(...xs, 0);
  const xMax = Math.max(...xs, 1);
  const yMax = options.yMax ?? 1;
  const yTick = options.yTick ?? ((y: number) => `${(y * 100).toFixed(0)}%`);
  const yMin = options.yMin ?? Math.max(0, Math.floor(Math.min(...options.series.flatMap((s) => [...s.points.map((p) => p[1]), ...(s.band ?? []).map((b) => b[1])]), 1) * 10) / 10);
  const px = (x: number) => m.left + ((x - xMin) / (xMax - xMin || 1)) * (W - m.left - m.right);
  const py = (y: number) => m.top + (1 - (y - yMin) / (yMax - yMin || 1)) * (H - m.top - m.bottom);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="${W / 2 - m.right / 2}" y="22" text-anchor="middle" font-size="15">${esc(options.title)}</text>`);
  for (let i = 0; i <= 5; i++) {
    const y = yMin + ((yMax - yMin) * i) / 5;
    out.push(`<line x1="${m.left}" x2="${W - m.right}" y1="${py(y)}" y2="${py(y)}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${m.left - 6}" y="${py(y) + 4}" text-anchor="end">${esc(yTick(y))}</text>`);
  }
  const ticks = 6;
  for (let i = 0; i <= ticks; i++) {
    const x = xMin + ((xMax - xMin) * i) / ticks;
    out.push(`<text x="${px(x)}" y="${H - m.bottom + 18}" text-anchor="middle">${Number.isInteger(x) ? x : x.toFixed(1)}</text>`);
  }
  out.push(`<line x1="${m.left}" x2="${W - m.right}" y1="${H - m.bottom}" y2="${H - m.bottom}" stroke="#333"/>`);
  out.push(`<line x1="${m.left}" x2="${m.left}" y1="${m.top}" y2="${H - m.bottom}" stroke="#333"/>`);
  out.push(`<text x="${(m.left + W - m.right) / 2}" y="${H - 12}" text-anchor="middle">${esc(options.xLabel)}</text>`);
  out.push(`<text transform="translate(16 ${(m.top + H - m.bottom) / 2}) rotate(-90)" text-anchor="middle">${esc(options.yLabel)}</text>`);
  for (const s of options.series) {
    if (!s.band || s.band.length === 0) continue;
    const edge = [...s.band.map((b) => [b[0], b[2]] as const), ...[...s.band].reverse().map((b) => [b[0], b[1]] as const)];
    out.push(`<polygon points="${edge.map(([x, y]) => `${px(x).toFixed(1)},${py(Math.max(yMin, y)).toFixed(1)}`).join(' ')}" fill="${s.color}" fill-opacity="0.18" stroke="none"/>`);
  }
  options.series.forEach((s, k) => {
    if (s.points.length > 0) {
      const d = s.points.map((p, i) => `${i ? 'L' : 'M'}${px(p[0]).toFixed(1)},${py(Math.max(yMin, p[1])).toFixed(1)}`).join(' ');
      out.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
      if (s.dots) for (const p of s.points) out.push(`<circle cx="${px(p[0]).toFixed(1)}" cy="${py(Math.max(yMin, p[1])).toFixed(1)}" r="3" fill="${s.color}"/>`);
    }
    const ly = m.top + 10 + k * 20;
    out.push(`<line x1="${W - m.right + 14}" x2="${W - m.right + 38}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
    out.push(`<text x="${W - m.right + 44}" y="${ly + 4}">${esc(s.label)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

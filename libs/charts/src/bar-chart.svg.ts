import { escapeMarkup as esc } from './svg.markup.js';

/**
 * Grouped bar chart as self-contained SVG: one group per category (scenario), one bar per series
 * (policy), values in [0, 1] shown as percentages; an optional marker per category (upper bound).
 * Each bar is a `<rect>` holding a `<title>` that names its category, series and value.
 */
export function barChartSvg(options: {
  title: string;
  categories: string[];
  series: { label: string; color: string; values: number[] }[];
  markers?: { label: string; values: number[] };
  yMin?: number;
  /** Legend width right of the bars, px (default 190). */
  legendWidth?: number;
  /** Least chart width, px: when the groups need less, the gaps between them widen to fill it (default: no least width). */
  minWidth?: number;
}): string {
  const barW = 12;
  const m = { left: 56, right: options.legendWidth ?? 190, top: 40, bottom: 70 };
  const fill = options.minWidth === undefined ? 0 : (options.minWidth - m.left - m.right) / Math.max(1, options.categories.length) - options.series.length * barW;
  const groupGap = Math.max(26, fill);
  const groupW = options.series.length * barW + groupGap;
  const W = m.left + m.right + options.categories.length * groupW;
  const H = 420;
  const yMin = options.yMin ?? 0;
  const py = (v: number) => m.top + (1 - (Math.max(yMin, v) - yMin) / (1 - yMin)) * (H - m.top - m.bottom);
  const out: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`, `<rect width="${W}" height="${H}" fill="white"/>`];
  out.push(`<text x="${(W - m.right) / 2}" y="22" text-anchor="middle" font-size="15">${esc(options.title)}</text>`);
  for (let i = 0; i <= 5; i++) {
    const v = yMin + ((1 - yMin) * i) / 5;
    out.push(`<line x1="${m.left}" x2="${W - m.right}" y1="${py(v)}" y2="${py(v)}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${m.left - 6}" y="${py(v) + 4}" text-anchor="end">${(v * 100).toFixed(0)}%</text>`);
  }
  options.categories.forEach((cat, g) => {
    const x0 = m.left + g * groupW + groupGap / 2;
    options.series.forEach((s, k) => {
      const v = s.values[g] ?? 0;
      out.push(`<rect x="${x0 + k * barW}" y="${py(v).toFixed(1)}" width="${barW - 2}" height="${(H - m.bottom - py(v)).toFixed(1)}" fill="${s.color}"><title>${esc(`${cat} / ${s.label}: ${(v * 100).toFixed(1)}%`)}</title></rect>`);
    });
    const mv = options.markers?.values[g];
    if (mv !== undefined) out.push(`<line x1="${x0 - 3}" x2="${x0 + options.series.length * barW + 1}" y1="${py(mv)}" y2="${py(mv)}" stroke="black" stroke-width="2" stroke-dasharray="4 2"/>`);
    out.push(`<text x="${x0 + (options.series.length * barW) / 2}" y="${H - m.bottom + 16}" text-anchor="middle">${esc(cat)}</text>`);
  });
  out.push(`<line x1="${m.left}" x2="${W - m.right}" y1="${H - m.bottom}" y2="${H - m.bottom}" stroke="#333"/>`);
  options.series.forEach((s, k) => {
    const y = m.top + 8 + k * 18;
    out.push(`<rect x="${W - m.right + 14}" y="${y - 9}" width="12" height="12" fill="${s.color}"/><text x="${W - m.right + 32}" y="${y + 1}">${esc(s.label)}</text>`);
  });
  if (options.markers) {
    const y = m.top + 8 + options.series.length * 18;
    out.push(`<line x1="${W - m.right + 14}" x2="${W - m.right + 26}" y1="${y - 3}" y2="${y - 3}" stroke="black" stroke-width="2" stroke-dasharray="4 2"/><text x="${W - m.right + 32}" y="${y + 1}">${esc(options.markers.label)}</text>`);
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

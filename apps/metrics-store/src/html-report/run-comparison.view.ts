import { barChartSpec, categoryColor, cdfChartSpec, escapeMarkup as esc, figureSvg, lineChartSpec, type FigureSpec, type Series } from '@aset/charts';
import type { ComparedRun, RunComparison } from '../reporting/run-comparison.query.js';

/** The parts of a comparison, each an HTML fragment: tables, a chart's `<figure data-chart="<key>">`, or a note when there is no data yet. */
export interface ComparisonSections {
  /** The runs: scenario, configured policy, seed, start and end, stored and expected queries. */
  runs: string;
  /** Per run and policy: queries, SLO met, success ratio, completed, drops, errors, timeouts, p50/p95/p99. */
  summary: string;
  /** Success ratio per time bucket, one line per run and policy. */
  success: string;
  /** Latency CDF of completed queries, one line per run and policy. */
  latency: string;
  /** Cluster utilisation (busy slots / slots) over time, one line per run (mean over its clusters). */
  utilisation: string;
  /** Mean utilisation per cluster and run: a bar chart and a table. */
  clusters: string;
}

/** Order in which the sections appear, with their headings. */
export const SECTION_TITLES: readonly [keyof ComparisonSections, string][] = [
  ['runs', 'Runs'],
  ['summary', 'Summary per policy'],
  ['success', 'Success ratio over time'],
  ['latency', 'Latency CDF'],
  ['utilisation', 'Cluster utilisation over time'],
  ['clusters', 'Utilisation per cluster'],
];

/** Styles of the sections' tables and notes. */
export const COMPARISON_CSS = `
body { font-family: sans-serif; margin: 1.5rem; color: #222; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
table { border-collapse: collapse; font-size: 0.9rem; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.5rem; text-align: right; }
th { background: #f3f3f3; } td.text, th.text { text-align: left; }
.note { color: #666; font-style: italic; }
figure { margin: 0.5rem 0; overflow-x: auto; }
.swatch { display: inline-block; width: 0.8rem; height: 0.8rem; margin-right: 0.3rem; vertical-align: middle; }
`;

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const ms = (x: number | null) => (x === null ? '-' : x.toFixed(2));
const when = (iso: string | null) => (iso === null ? '-' : iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z'));
const note = (text: string) => `<p class="note">${esc(text)}</p>`;

function table(head: string[], rows: { attrs: string; cells: string[] }[], textColumns: number): string {
  const th = head.map((h, i) => `<th${i < textColumns ? ' class="text"' : ''}>${esc(h)}</th>`).join('');
  const tr = rows.map((r) => `<tr${r.attrs}>${r.cells.map((c, i) => (i < textColumns ? c.replace(/^<td/, '<td class="text"') : c)).join('')}</tr>`).join('\n');
  return `<table>\n<thead><tr>${th}</tr></thead>\n<tbody>\n${tr}\n</tbody>\n</table>`;
}

const td = (field: string, value: string) => `<td data-field="${field}">${esc(value)}</td>`;

/** Series keys (run, policy) in order of appearance, each with its colour and legend label. */
function policySeries(c: RunComparison): Map<string, { runId: string; policy: string; label: string; color: string }> {
  const keys = new Map<string, { runId: string; policy: string; label: string; color: string }>();
  const add = (runId: string, policy: string) => {
    const key = JSON.stringify([runId, policy]);
    if (!keys.has(key)) keys.set(key, { runId, policy, label: c.runs.length > 1 ? `${policy} (${runId})` : policy, color: categoryColor(keys.size) });
  };
  for (const r of c.runs) {
    for (const g of r.policies) add(r.runId, g.key ?? 'unknown');
    for (const b of r.timeseries.buckets) add(r.runId, b.policy);
    for (const p of r.latencyCdf.policies) add(r.runId, p.policy);
  }
  return keys;
}

function runsTable(c: RunComparison): string {
  return table(
    ['run', 'scenario', 'configured policy', 'seed', 'started', 'finished', 'stored queries', 'expected queries', 'state'],
    c.runs.map(({ runId, info }) => ({
      attrs: ` data-run="${esc(runId)}"`,
      cells: [
        td('run', runId),
        td('scenario', info?.scenario ?? '-'),
        td('policy', info?.policy ?? '-'),
        td('seed', info?.seed === null || info?.seed === undefined ? '-' : String(info.seed)),
        td('started', when(info?.startedAt ?? null)),
        td('finished', when(info?.finishedAt ?? null)),
        td('storedQueries', info ? String(info.storedQueries) : '-'),
        td('expectedQueries', info?.expectedQueries === null || info?.expectedQueries === undefined ? '-' : String(info.expectedQueries)),
        td('state', info === null ? 'no run record' : info.complete ? 'complete' : info.finishedAt !== null ? 'ingesting' : info.parts ? `running (${info.parts.finished}/${info.parts.count} parts finished)` : 'running'),
      ],
    })),
    3,
  );
}

function summaryTable(c: RunComparison, series: ReturnType<typeof policySeries>): string {
  const rows = c.runs.flatMap((r) =>
    r.policies.map((g) => {
      const policy = g.key ?? 'unknown';
      const color = series.get(JSON.stringify([r.runId, policy]))?.color ?? '#000';
      return {
        attrs: ` data-run="${esc(r.runId)}" data-policy="${esc(policy)}"`,
        cells: [
          td('run', r.runId),
          `<td data-field="policy"><span class="swatch" style="background:${color}"></span>${esc(policy)}</td>`,
          td('queries', String(g.queries)),
          td('sloMet', String(g.sloMet)),
          td('successRatio', pct(g.successRatio)),
          td('completed', String(g.completed)),
          td('drops', String(g.drops)),
          td('errors', String(g.errors)),
          td('timedOut', String(g.timedOut)),
          td('p50Ms', ms(g.p50Ms)),
          td('p95Ms', ms(g.p95Ms)),
          td('p99Ms', ms(g.p99Ms)),
        ],
      };
    }),
  );
  if (rows.length === 0) return note('No measured queries stored yet.');
  return `${table(['run', 'policy', 'queries', 'SLO met', 'success', 'completed', 'dropped', 'errors', 'timed out', 'p50 ms', 'p95 ms', 'p99 ms'], rows, 2)}
<p class="note">Measured (non-warm-up) queries; success = SLO met / queries (a dropped query is a miss); latency percentiles over completed queries.</p>`;
}

function successFigure(c: RunComparison, series: ReturnType<typeof policySeries>): FigureSpec | null {
  const lines: Series[] = [];
  for (const s of series.values()) {
    const run = c.runs.find((r) => r.runId === s.runId);
    const points = (run?.timeseries.buckets ?? []).filter((b) => b.policy === s.policy).map((b): [number, number] => [b.offsetMs / 1000, b.successRatio]);
    if (points.length > 0) lines.push({ label: s.label, color: s.color, points, dots: points.length === 1 });
  }
  if (lines.length === 0) return null;
  return lineChartSpec({
    title: `Success ratio (SLO met) per ${c.bucketMs / 1000} s bucket`,
    subtitle: 'measured queries (warm-up excluded); a dropped query counts as a miss',
    x: { title: 'time since run start (s)' },
    y: { title: 'success ratio (SLO met)', format: 'percent' },
    series: lines,
  });
}

function latencyFigure(series: ReturnType<typeof policySeries>, runs: readonly ComparedRun[]): FigureSpec | null {
  const lines = [...series.values()].flatMap((s) => {
    const cdf = runs.find((r) => r.runId === s.runId)?.latencyCdf.policies.find((p) => p.policy === s.policy);
    return cdf && cdf.points.length > 0 ? [{ label: s.label, color: s.color, points: cdf.points.map((p): [number, number] => [p.ms, p.fraction]) }] : [];
  });
  if (lines.length === 0) return null;
  return cdfChartSpec({ title: 'Latency CDF of completed queries', subtitle: 'end-to-end latency, log scale', yTitle: 'fraction of completed queries', series: lines });
}

/** Per cluster of a run: sample-weighted means over all its buckets (= over all its samples in the run). */
function clusterMeans(run: ComparedRun): Map<string, { samples: number; utilisation: number; busySlots: number; queueLength: number; maxQueueLength: number }> {
  const out = new Map<string, { samples: number; utilisation: number; busySlots: number; queueLength: number; maxQueueLength: number }>();
  for (const b of run.clusters.buckets) {
    const m = out.get(b.clusterId) ?? { samples: 0, utilisation: 0, busySlots: 0, queueLength: 0, maxQueueLength: 0 };
    m.samples += b.samples;
    m.utilisation += b.meanUtilisation * b.samples;
    m.busySlots += b.meanBusySlots * b.samples;
    m.queueLength += b.meanQueueLength * b.samples;
    m.maxQueueLength = Math.max(m.maxQueueLength, b.maxQueueLength);
    out.set(b.clusterId, m);
  }
  for (const m of out.values()) {
    m.utilisation /= m.samples;
    m.busySlots /= m.samples;
    m.queueLength /= m.samples;
  }
  return out;
}

function utilisationFigure(c: RunComparison): FigureSpec | null {
  const lines = c.runs.flatMap((r, i) => {
    const byOffset = new Map<number, number[]>();
    for (const b of r.clusters.buckets) byOffset.set(b.offsetMs, [...(byOffset.get(b.offsetMs) ?? []), b.meanUtilisation]);
    const points = [...byOffset]
      .sort((a, b) => a[0] - b[0])
      .map(([offsetMs, values]): [number, number] => [offsetMs / 1000, values.reduce((s, v) => s + v, 0) / values.length]);
    const clusters = new Set(r.clusters.buckets.map((b) => b.clusterId)).size;
    return points.length > 0 ? [{ label: `${r.runId} (${clusters} clusters)`, color: categoryColor(i), points, dots: points.length === 1 }] : [];
  });
  if (lines.length === 0) return null;
  return lineChartSpec({
    title: `Cluster utilisation per ${c.bucketMs / 1000} s bucket`,
    subtitle: 'busy slots / slots, mean over the clusters of each run',
    x: { title: 'time since run start (s)' },
    y: { title: 'utilisation', format: 'percent', domain: [0, 1] },
    series: lines,
  });
}

function clusterMeansOf(c: RunComparison) {
  const means = c.runs.map((r) => ({ runId: r.runId, clusters: clusterMeans(r) }));
  return { means, clusterIds: [...new Set(means.flatMap((m) => [...m.clusters.keys()]))].sort() };
}

function clustersFigure(c: RunComparison): FigureSpec | null {
  const { means, clusterIds } = clusterMeansOf(c);
  if (clusterIds.length === 0) return null;
  return barChartSpec({
    title: 'Mean utilisation per cluster',
    subtitle: "busy slots / slots over the worker heartbeats between each run's start and end",
    categories: clusterIds,
    xTitle: 'cluster',
    y: { title: 'utilisation', format: 'percent', domain: [0, 1] },
    series: means.map((m, i) => ({ label: m.runId, color: categoryColor(i), values: clusterIds.map((id) => m.clusters.get(id)?.utilisation) })),
  });
}

function clustersTable(c: RunComparison): string {
  const { means, clusterIds } = clusterMeansOf(c);
  if (clusterIds.length === 0) return '';
  const rows = means.flatMap((m) =>
    [...m.clusters]
      .sort((a, b) => a[0].localeCompare(b[0]))
      .map(([clusterId, s]) => ({
        attrs: ` data-run="${esc(m.runId)}" data-cluster="${esc(clusterId)}"`,
        cells: [
          td('run', m.runId),
          td('cluster', clusterId),
          td('samples', String(s.samples)),
          td('utilisation', pct(s.utilisation)),
          td('busySlots', s.busySlots.toFixed(2)),
          td('queueLength', s.queueLength.toFixed(2)),
          td('maxQueueLength', String(s.maxQueueLength)),
        ],
      })),
  );
  return `${table(['run', 'cluster', 'heartbeats', 'utilisation', 'busy slots', 'queue length', 'max queue'], rows, 2)}
<p class="note">Means over the worker heartbeats between the run's start and end (a cluster with several workers counts each one's heartbeats).</p>`;
}

/** The sections that hold a chart, in order. */
export const CHART_KEYS = ['success', 'latency', 'utilisation', 'clusters'] as const;
export type ChartKey = (typeof CHART_KEYS)[number];

/** The note a chart's section shows when there is nothing to draw. */
const EMPTY: Record<ChartKey, string> = {
  success: 'No measured queries stored yet.',
  latency: 'No completed queries stored yet.',
  utilisation: 'No worker heartbeats stored during these runs.',
  clusters: 'No worker heartbeats stored during these runs.',
};

/** A comparison as the dashboard shows it: the sections' HTML, each chart an empty `<figure data-chart>`, and each chart's figure (absent when there is nothing to draw). */
export interface ComparisonView {
  sections: ComparisonSections;
  figures: Partial<Record<ChartKey, FigureSpec>>;
}

/**
 * The comparison as HTML fragments and figures (Vega-Lite specs from @aset/charts): a chart's
 * section is `<figure data-chart="<key>"></figure>` (then the per-cluster table, for `clusters`)
 * when its figure exists, else a note saying why not. Nothing here runs a script or loads a resource.
 */
export function comparisonView(c: RunComparison): ComparisonView {
  const series = policySeries(c);
  const figures: Partial<Record<ChartKey, FigureSpec>> = {};
  const made = { success: successFigure(c, series), latency: latencyFigure(series, c.runs), utilisation: utilisationFigure(c), clusters: clustersFigure(c) };
  for (const key of CHART_KEYS) if (made[key]) figures[key] = made[key];
  const chart = (key: ChartKey) => (figures[key] ? `<figure data-chart="${key}"></figure>` : note(EMPTY[key]));
  const clusters = figures.clusters ? `${chart('clusters')}\n${clustersTable(c)}` : chart('clusters');
  return {
    sections: { runs: runsTable(c), summary: summaryTable(c, series), success: chart('success'), latency: chart('latency'), utilisation: chart('utilisation'), clusters },
    figures,
  };
}

/** The comparison with every chart drawn as inline SVG in its `<figure>`: self-contained HTML fragments for the report file. */
export async function renderComparison(c: RunComparison): Promise<ComparisonSections> {
  const { sections, figures } = comparisonView(c);
  const out = { ...sections };
  for (const key of CHART_KEYS) {
    const spec = figures[key];
    if (spec) out[key] = out[key].replace(`<figure data-chart="${key}"></figure>`, `<figure data-chart="${key}">${await figureSvg(spec)}</figure>`);
  }
  return out;
}

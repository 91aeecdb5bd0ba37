import type { Comparison, PolicyFigures, ScenarioReport, SuiteReport } from './suite.report.js';

/** What the renderer needs besides the report: how the figures were made, for the reader to reproduce them. */
export interface SectionContext {
  /** The command that wrote the section. */
  readonly command: string;
  /** Measured queries per run (null: each scenario's own). */
  readonly queries: number | null;
  /** The shipped agents' checkpoint files, relative to the repository root. */
  readonly checkpoints: Readonly<Record<string, string>>;
  /** Policies by role, in column order. */
  readonly groups: readonly { readonly title: string; readonly policies: readonly string[] }[];
  /** Relative path of the success chart from docs/. */
  readonly chart?: string;
}

const pct = (x: number) => (x * 100).toFixed(2);
const interval = (ci: readonly [number, number]) => `[${pct(ci[0])}, ${pct(ci[1])}]`;
const points = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(2)}`;
const cell = (f: PolicyFigures | undefined) => (f ? `${pct(f.successRatio)} ${interval(f.ci95)}` : '-');

function verdictText(c: Comparison): string {
  if (c.verdict === 'better') return `**${c.a} beats ${c.b}**`;
  if (c.verdict === 'worse') return `**${c.b} beats ${c.a}**`;
  return 'no difference shown';
}

function comparisonCell(c: Comparison | undefined): string {
  return c ? `${points(c.difference)} ${interval(c.ci95)}: ${verdictText(c)}` : '-';
}

const find = (s: ScenarioReport, a: string, b: string) => s.comparisons.find((c) => c.a === a && c.b === b);

/** The plain statement of what the agents achieve against the best heuristic, scenario by scenario. */
export function claimStatement(report: SuiteReport): string[] {
  const lines: string[] = [];
  const rows = report.scenarios.map((s) => ({ s, c: s.bestAset ? find(s, s.bestAset, s.bestHeuristic) : undefined }));
  const beats = rows.filter((r) => r.c?.verdict === 'better');
  const loses = rows.filter((r) => r.c?.verdict === 'worse');
  const tie = rows.filter((r) => r.c && r.c.verdict === 'no-difference');
  lines.push(
    `- Over ${report.scenarios.length} scenarios and ${report.seeds.length} workload seed${report.seeds.length === 1 ? '' : 's'}, the better ASET mode **beats the best heuristic in ${beats.length}** (${beats.map((r) => r.s.name).join(', ') || 'none'}), **loses in ${loses.length}** (${loses.map((r) => `${r.s.name}: ${r.s.bestHeuristic}`).join(', ') || 'none'}), and shows no difference in ${tie.length} (${tie.map((r) => r.s.name).join(', ') || 'none'}).`,
  );
  const o = report.asetVsBestHeuristic;
  if (o) lines.push(`- Averaged over the suite, best ASET mode − best heuristic = ${points(o.difference)} points, paired 95% interval ${interval(o.ci95)}: ${verdictText(o)}.`);
  return lines;
}

/** One suite's section of docs/results.md. */
export function suiteSection(report: SuiteReport, ctx: SectionContext): string {
  const out: string[] = [];
  const policies = ctx.groups.flatMap((g) => g.policies);
  out.push(`## Suite \`${report.suite}\``, '');
  out.push(
    `Written by \`${ctx.command}\`: every policy on every scenario under each of the workload seeds ${report.seeds.join(', ')} (${ctx.queries === null ? "each scenario's own query count" : `${ctx.queries.toLocaleString('en')} measured queries`} per run); means over seeds with Student's t 95% intervals, in percent of measured queries that met their SLO. Agents: ${Object.entries(ctx.checkpoints)
      .map(([mode, file]) => `\`${mode}\` from \`${file}\``)
      .join(', ')}.`,
    '',
  );
  out.push('### What the current agents achieve', '', ...claimStatement(report), '');
  if (ctx.chart) out.push(`![success per scenario](${ctx.chart})`, '');
  out.push('| scenario | upper bound | capacity bound | best heuristic | room left (capacity bound − best heuristic) | best ASET mode | best ASET − best heuristic (points, paired 95% CI) |', '|---|---|---|---|---|---|---|');
  for (const s of report.scenarios) {
    const h = s.policies[s.bestHeuristic];
    const a = s.bestAset ? s.policies[s.bestAset] : undefined;
    out.push(
      `| ${s.name}${s.dynamic ? ' (dynamic)' : ''} | ${pct(s.upperBound)} | ${pct(s.capacityBound)} | \`${s.bestHeuristic}\` ${cell(h)} | ${h ? (100 * (s.capacityBound - h.successRatio)).toFixed(2) : '-'} | ${s.bestAset ? `\`${s.bestAset}\` ${cell(a)}` : '-'} | ${s.bestAset ? comparisonCell(find(s, s.bestAset, s.bestHeuristic)) : '-'} |`,
    );
  }
  out.push('', '### Every policy', '', `Success (%), mean [95% CI] over ${report.seeds.length} seed${report.seeds.length === 1 ? '' : 's'}.`, '');
  out.push(`| policy | ${report.scenarios.map((s) => s.name).join(' | ')} |`, `|---|${report.scenarios.map(() => '---').join('|')}|`);
  for (const g of ctx.groups) {
    out.push(`| *${g.title}* | ${report.scenarios.map(() => '').join(' | ')} |`);
    for (const p of g.policies) out.push(`| \`${p}\` | ${report.scenarios.map((s) => `${cell(s.policies[p])}${s.bestHeuristic === p ? ' ★' : ''}`).join(' | ')} |`);
  }
  out.push('', '★ best heuristic of the scenario.', '');
  const ablations = [...new Set(report.scenarios.flatMap((s) => s.comparisons.slice(s.bestAset ? 1 : 0).map((c) => `${c.a}|${c.b}`)))].map((k) => k.split('|') as [string, string]);
  if (ablations.length > 0) {
    out.push('### Ablations', '', 'Paired differences (points, 95% CI) by seed.', '');
    out.push(`| comparison | ${report.scenarios.map((s) => s.name).join(' | ')} |`, `|---|${report.scenarios.map(() => '---').join('|')}|`);
    for (const [a, b] of ablations) out.push(`| \`${a}\` − \`${b}\` | ${report.scenarios.map((s) => comparisonCell(find(s, a, b))).join(' | ')} |`);
    out.push('');
  }
  if (report.trainingSeeds.length > 0) {
    const on = report.trainingSeeds[0]?.workloadSeeds ?? report.seeds;
    out.push(
      '### Spread across training seeds',
      '',
      `Each agent trained with the same command and another \`--seed\`; every agent of a mode, the shipped one included, evaluated on workload seed${on.length === 1 ? '' : 's'} ${on.join(', ')} (mean success %${on.length < report.seeds.length ? ', so the shipped agent\'s figures here can differ from its mean over all seeds above' : ''}).`,
      '',
    );
    out.push(`| agent | ${report.scenarios.map((s) => s.name).join(' | ')} | mean |`, `|---|${report.scenarios.map(() => '---').join('|')}|---|`);
    for (const t of report.trainingSeeds) {
      for (const a of t.agents) out.push(`| \`${t.mode}\` seed ${a.trainingSeed}${a.shipped ? ' (shipped)' : ''} | ${report.scenarios.map((s) => pct(a.perScenario[s.name] as number)).join(' | ')} | ${pct(a.mean)} |`);
      out.push(`| \`${t.mode}\` range | ${report.scenarios.map((s) => {
        const r = t.range[s.name] as readonly [number, number];
        return `${pct(r[0])}–${pct(r[1])}`;
      }).join(' | ')} | |`);
    }
    out.push('');
  }
  out.push('### Latency p95 (ms) and drops per run', '', `| policy | ${report.scenarios.map((s) => s.name).join(' | ')} |`, `|---|${report.scenarios.map(() => '---').join('|')}|`);
  for (const p of policies) {
    out.push(`| \`${p}\` | ${report.scenarios.map((s) => {
      const f = s.policies[p];
      return f ? `${f.p95Ms === null ? '-' : f.p95Ms.toFixed(1)} / ${Math.round(f.drops)}` : '-';
    }).join(' | ')} |`);
  }
  out.push('');
  return out.join('\n');
}

const START = (suite: string) => `<!-- suite ${suite}: start -->`;
const END = (suite: string) => `<!-- suite ${suite}: end -->`;

/**
 * Puts a suite's section into the results document, replacing that suite's previous section and
 * keeping the others; `preamble` replaces everything before the first section. What follows the
 * last section (hand-written text) is kept as it is.
 */
export function mergeResultsDocument(existing: string, preamble: string, suite: string, section: string): string {
  const sections = new Map<string, string>();
  const re = /<!-- suite (\S+): start -->\n([\s\S]*?)<!-- suite \1: end -->/g;
  let tail = 0;
  for (const m of existing.matchAll(re)) {
    sections.set(m[1] as string, m[2] as string);
    tail = (m.index as number) + m[0].length;
  }
  const epilogue = tail > 0 ? existing.slice(tail).trim() : '';
  sections.set(suite, section.endsWith('\n') ? section : `${section}\n`);
  const order = [...sections.keys()].sort((a, b) => (a === 'standard' ? -1 : b === 'standard' ? 1 : a.localeCompare(b)));
  const body = order.map((s) => `${START(s)}\n${sections.get(s) as string}${END(s)}`).join('\n\n');
  return `${preamble.trimEnd()}\n\n${body}\n${epilogue ? `\n${epilogue}\n` : ''}`;
}

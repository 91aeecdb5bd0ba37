import { intervalChartSpec, type FigureSpec } from '@aset/charts';
import type { SuiteReport } from '@aset/evaluation';
import { HEURISTIC_POLICY_NAMES, STATIC_POLICY_NAMES } from '@aset/scheduling';

/** A group of policies drawn in one colour, in the order given. */
export interface PolicyGroup {
  title: string;
  policies: readonly string[];
}

/** The learned modes an experiment compares, and the ablation of each. */
export const ASET_MODES = ['aset', 'aset-direct'] as const;
export const ABLATION_POLICIES = ['aset-direct-unshielded'] as const;

/** How an experiment groups every policy it runs, in the order its tables and figure show them. */
export function suitePolicyGroups(): PolicyGroup[] {
  const statics: readonly string[] = STATIC_POLICY_NAMES;
  return [
    { title: 'static policies', policies: [...statics] },
    { title: 'adaptive heuristics', policies: HEURISTIC_POLICY_NAMES.filter((h) => !statics.includes(h)) },
    { title: 'ASET', policies: [...ASET_MODES] },
    { title: 'ablation', policies: [...ABLATION_POLICIES] },
  ];
}

/** The colour of each group of policies, by its position: static, adaptive heuristics, ASET, ablation. */
const GROUP_COLORS = ['#8c8c8c', '#457b9d', '#c0392b', '#e76f51', '#2a9d8f'] as const;

/**
 * The suite's headline figure: per scenario, a panel with every policy's mean success over the
 * workload seeds and its Student's t 95% interval (a policy with no run there is left out), coloured
 * by its group, with the capacity bound and the no-contention upper bound as dashed rules. Each
 * panel spans at most 20 points below its best policy; those further down are written at its edge.
 */
export function suiteSuccessFigure(report: SuiteReport, groups: readonly PolicyGroup[]): FigureSpec {
  const series = groups.flatMap((g, k) =>
    g.policies.map((policy) => ({
      label: policy,
      color: GROUP_COLORS[k % GROUP_COLORS.length] as string,
      values: report.scenarios.map((s) => {
        const f = s.policies[policy];
        return f ? { mean: f.successRatio, low: f.ci95[0], high: f.ci95[1] } : undefined;
      }),
    })),
  );
  return intervalChartSpec({
    title: `Success ratio per scenario, suite ${report.suite}`,
    subtitle: [
      `mean over workload seeds ${report.seeds.join(', ')} with its 95% confidence interval; grey: static, blue: adaptive heuristics, red: ASET, orange: ablation`,
      'a policy more than 20 points below the best of its scenario is written at the left edge (◂)',
    ],
    categories: report.scenarios.map((s) => s.name),
    value: { title: 'success ratio (SLO met)', format: 'percent' },
    span: 0.2,
    series: series.filter((s) => s.values.some((v) => v !== undefined)),
    markers: [
      { label: 'capacity bound', color: '#222', values: report.scenarios.map((s) => s.capacityBound) },
      { label: 'upper bound (no contention)', color: '#9b59b6', values: report.scenarios.map((s) => s.upperBound) },
    ],
  });
}

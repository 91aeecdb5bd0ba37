import { meanWithInterval, pairedDifference, pairedVerdict, type PairedVerdict } from './seed.statistics.js';
import type { SuiteSpec } from './suite.catalog.js';

/** One simulated run: a policy (or a labelled agent) on one scenario and workload seed. */
export interface SeedRun {
  readonly scenario: string;
  readonly seed: number;
  /** Registry name, or `<mode>@seed-<n>` for an agent trained from another training seed. */
  readonly policy: string;
  readonly successRatio: number;
  readonly p95Ms: number | null;
  readonly drops: number;
  readonly timedOut: number;
}

/** The bounds of one scenario and workload seed (they depend on the arrivals, not on the policy). */
export interface SeedBounds {
  readonly scenario: string;
  readonly seed: number;
  /** No-contention bound: every query on its best placement with empty queues. */
  readonly upperBound: number;
  /** Fluid bound: capacity shared optimally among the streams that can use it. */
  readonly capacityBound: number;
}

/** An agent trained from a given training seed, as it appears among the runs. */
export interface TrainedAgentRun {
  readonly mode: string;
  readonly trainingSeed: number;
  /** The policy label of its runs (`aset`, `aset-direct` for the shipped ones). */
  readonly label: string;
  readonly checkpoint: string;
  readonly shipped: boolean;
}

export interface PolicyFigures {
  /** Mean over the workload seeds. */
  readonly successRatio: number;
  readonly ci95: readonly [number, number];
  /** Mean over seeds of each run's p95 latency of completed queries, ms (null when none completed). */
  readonly p95Ms: number | null;
  /** Mean dropped queries per run. */
  readonly drops: number;
  readonly perSeed: readonly number[];
}

export interface Comparison {
  readonly a: string;
  readonly b: string;
  /** Mean of `a - b` over seeds, and its paired 95% interval. */
  readonly difference: number;
  readonly ci95: readonly [number, number];
  /** `better`: a beats b (interval above 0); `worse`: below; else no difference shown. */
  readonly verdict: PairedVerdict;
}

export interface ScenarioReport {
  readonly name: string;
  readonly dynamic: boolean;
  readonly upperBound: number;
  readonly capacityBound: number;
  readonly policies: Readonly<Record<string, PolicyFigures>>;
  /** The heuristic with the highest mean (chosen after the fact: a conservative yardstick for ASET). */
  readonly bestHeuristic: string;
  /** The ASET mode with the highest mean. */
  readonly bestAset: string | null;
  /** Best ASET mode against the best heuristic, and the ablations. */
  readonly comparisons: readonly Comparison[];
}

export interface TrainingSeedSpread {
  readonly mode: string;
  /** The workload seeds every agent of the mode, the shipped one included, is compared on. */
  readonly workloadSeeds: readonly number[];
  readonly agents: readonly { readonly trainingSeed: number; readonly checkpoint: string; readonly shipped: boolean; readonly perScenario: Readonly<Record<string, number>>; readonly mean: number }[];
  /** Per scenario: the lowest and highest mean success across training seeds. */
  readonly range: Readonly<Record<string, readonly [number, number]>>;
}

export interface SuiteReport {
  readonly suite: string;
  readonly seeds: readonly number[];
  readonly scenarios: readonly ScenarioReport[];
  /** Over the suite: per seed, the mean over scenarios of (best ASET mode - best heuristic), and its paired interval. */
  readonly asetVsBestHeuristic: Comparison | null;
  readonly trainingSeeds: readonly TrainingSeedSpread[];
}

export interface SuiteRoles {
  /** Hand-written policies, among which the best heuristic is chosen per scenario. */
  readonly heuristics: readonly string[];
  /** The learned modes (shipped agents), among which the best ASET mode is chosen per scenario. */
  readonly asetModes: readonly string[];
  /** Extra pairs to compare per scenario (ablations), `[a, b]`: a - b. */
  readonly ablations: readonly (readonly [string, string])[];
}

/**
 * Aggregates per-seed runs into the suite's report: per scenario and policy the mean over seeds with
 * its 95% interval, the bounds, the best heuristic and the best ASET mode with their paired
 * comparison, the ablations; and the spread of the agents across training seeds, compared on
 * `spreadSeeds` (a subset of `seeds`; all of them by default). Every (scenario, seed) must have a run
 * of every policy it lists, and bounds; every agent from another training seed a run on each
 * (scenario, spread seed): a missing one is an error naming it. Those agents appear only in the
 * spread, not among the scenario's policies.
 */
export function buildSuiteReport(
  suite: SuiteSpec,
  seeds: readonly number[],
  runs: readonly SeedRun[],
  bounds: readonly SeedBounds[],
  roles: SuiteRoles,
  trained: readonly TrainedAgentRun[] = [],
  spreadSeeds: readonly number[] = seeds,
): SuiteReport {
  const outside = spreadSeeds.filter((s) => !seeds.includes(s));
  if (outside.length > 0) throw new Error(`training-seed spread seeds ${outside.join(', ')} are not among the workload seeds ${seeds.join(', ')}`);
  const bySeed = new Map<string, SeedRun>();
  for (const r of runs) bySeed.set(`${r.scenario}|${r.policy}|${r.seed}`, r);
  const series = (scenario: string, policy: string, over: readonly number[] = seeds): number[] =>
    over.map((seed) => {
      const r = bySeed.get(`${scenario}|${policy}|${seed}`);
      if (!r) throw new Error(`no run of ${policy} on ${scenario} with seed ${seed}`);
      return r.successRatio;
    });
  const compare = (scenario: string, a: string, b: string): Comparison => {
    const d = pairedDifference(series(scenario, a), series(scenario, b));
    return { a, b, difference: d.mean, ci95: d.ci, verdict: pairedVerdict(d) };
  };
  const otherSeeds = new Set(trained.filter((t) => !t.shipped).map((t) => t.label));
  const policyNames = [...new Set(runs.map((r) => r.policy))].filter((p) => !otherSeeds.has(p));
  const scenarios: ScenarioReport[] = suite.scenarios.map(({ name, dynamic }) => {
    const policies: Record<string, PolicyFigures> = {};
    for (const p of policyNames) {
      const rs = seeds.map((seed) => bySeed.get(`${name}|${p}|${seed}`));
      if (rs.every((r) => r === undefined)) continue;
      const missing = seeds.find((_, i) => rs[i] === undefined);
      if (missing !== undefined) throw new Error(`no run of ${p} on ${name} with seed ${missing}`);
      const done = rs as SeedRun[];
      const m = meanWithInterval(done.map((r) => r.successRatio));
      // A ratio's interval is reported within [0, 1].
      const ci: [number, number] = [Math.max(0, m.ci[0]), Math.min(1, m.ci[1])];
      const p95 = done.flatMap((r) => (r.p95Ms === null ? [] : [r.p95Ms]));
      policies[p] = { successRatio: m.mean, ci95: ci, p95Ms: p95.length ? p95.reduce((a, b) => a + b, 0) / p95.length : null, drops: done.reduce((a, r) => a + r.drops, 0) / done.length, perSeed: done.map((r) => r.successRatio) };
    }
    const best = (names: readonly string[]) => names.filter((p) => policies[p]).sort((a, b) => (policies[b] as PolicyFigures).successRatio - (policies[a] as PolicyFigures).successRatio)[0];
    const bestHeuristic = best(roles.heuristics);
    if (!bestHeuristic) throw new Error(`no heuristic ran on ${name}`);
    const bestAset = best(roles.asetModes) ?? null;
    const b = seeds.map((seed) => {
      const x = bounds.find((y) => y.scenario === name && y.seed === seed);
      if (!x) throw new Error(`no bounds for ${name} with seed ${seed}`);
      return x;
    });
    const comparisons = [
      ...(bestAset ? [compare(name, bestAset, bestHeuristic)] : []),
      ...roles.ablations.filter(([x, y]) => policies[x] && policies[y]).map(([x, y]) => compare(name, x, y)),
    ];
    return {
      name,
      dynamic,
      upperBound: b.reduce((a, x) => a + x.upperBound, 0) / b.length,
      capacityBound: b.reduce((a, x) => a + x.capacityBound, 0) / b.length,
      policies,
      bestHeuristic,
      bestAset,
      comparisons,
    };
  });
  let overall: Comparison | null = null;
  if (scenarios.every((s) => s.bestAset)) {
    const perSeed = (pick: (s: ScenarioReport) => string) => seeds.map((_, i) => scenarios.reduce((a, s) => a + ((s.policies[pick(s)] as PolicyFigures).perSeed[i] as number), 0) / scenarios.length);
    const d = pairedDifference(
      perSeed((s) => s.bestAset as string),
      perSeed((s) => s.bestHeuristic),
    );
    overall = { a: 'best ASET mode', b: 'best heuristic', difference: d.mean, ci95: d.ci, verdict: pairedVerdict(d) };
  }
  const modes = [...new Set(trained.map((t) => t.mode))];
  const trainingSeeds: TrainingSeedSpread[] = modes.map((mode) => {
    const agents = trained
      .filter((t) => t.mode === mode)
      .sort((x, y) => x.trainingSeed - y.trainingSeed)
      .map((t) => {
        const perScenario = Object.fromEntries(scenarios.map((s) => [s.name, meanWithInterval(series(s.name, t.label, spreadSeeds)).mean]));
        const values = Object.values(perScenario);
        return { trainingSeed: t.trainingSeed, checkpoint: t.checkpoint, shipped: t.shipped, perScenario, mean: values.reduce((a, v) => a + v, 0) / values.length };
      });
    const range = Object.fromEntries(scenarios.map((s) => {
      const v = agents.map((a) => a.perScenario[s.name] as number);
      return [s.name, [Math.min(...v), Math.max(...v)] as const];
    }));
    return { mode, workloadSeeds: spreadSeeds, agents, range };
  });
  return { suite: suite.name, seeds, scenarios, asetVsBestHeuristic: overall, trainingSeeds };
}

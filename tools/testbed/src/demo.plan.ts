import { existsSync } from 'node:fs';
import { checkpointPath, loadInputs } from '@aset/command-line';
import { PlacementCatalog, STATIC_POLICY_NAMES, agentModeOf, asetAgentsOf, readAsetCheckpoint, isPolicyName, POLICY_NAMES } from '@aset/scheduling';
import { simulatePolicy } from '@aset/sim';
import type { Scenario } from '@aset/scenario';

export interface DemoPlanInput {
  /** Scenario argument, as given to --scenario. */
  scenario: string;
  /** Policies asked for; absent: the best static policy, aset-direct and aset. */
  policies?: readonly string[];
  /** Folder of the ASET checkpoints. */
  checkpoints: string;
  /** Scenario argument whose checkpoints to load (default: `scenario`), as `npm run sim --agents-from`. */
  agentsFrom?: string;
  /** Workload seed and measured queries; default: the scenario's. */
  seed?: number;
  queries?: number;
  rateScale?: number;
}

export interface PlannedRun {
  policy: string;
  /** Why it runs: asked for, the best static policy, or an ASET mode. */
  role: 'asked' | 'best static' | 'ASET';
  /** Scheduler environment for this policy (ASET_CHECKPOINT for the ASET policies). */
  env: Record<string, string>;
  /** Its success ratio in the simulator on the same seeded workload (heartbeat observation, no messaging time). */
  simSuccess: number;
}

export interface DemoPlan {
  /** The scenario, as loaded from the input's `scenario`. */
  scenario: Scenario;
  /** The workload every run gets: the seed, measured queries and warm-up queries (the input's, or the scenario's). */
  seed: number;
  queries: number;
  warmupQueries: number;
  runs: PlannedRun[];
  /** Default plan only: ASET modes left out for want of a checkpoint, with how to train one. */
  skipped: { policy: string; reason: string }[];
  /** Every static policy's simulated success ratio, best first: how the best static policy was picked. */
  staticRanking: { policy: string; simSuccess: number }[];
  /** Fraction of the workload's queries some placement could serve in time with empty queues (the simulator's upper bound). */
  upperBound: number;
}

/** A demo that cannot be planned: an unknown policy, or an ASET policy asked for without its checkpoint. */
export class DemoPlanError extends Error {
  override readonly name = 'DemoPlanError';
}

/**
 * What `npm run demo` runs, decided before any service starts: every static policy is simulated on
 * the same seeded workload, the best of them runs live, then `aset-direct` and `aset` with the
 * checkpoints `npm run sim` would load (`<checkpoints>/<agents-from>.<mode>.json`). Asked-for
 * policies run as given, in order. Throws DemoPlanError naming the policy and the file it needs.
 */
export function planDemo(input: DemoPlanInput): DemoPlan {
  const { scenario, zoo } = loadInputs(input.scenario);
  const workload = scenario.spec.workload;
  const settings = { seed: input.seed ?? workload.seed, queries: input.queries ?? workload.queries, warmupQueries: workload.warmupQueries, ...(input.rateScale ? { rateScale: input.rateScale } : {}) };
  const agentsFrom = input.agentsFrom ?? input.scenario;
  const catalog = new PlacementCatalog(scenario, zoo);
  const simulate = (policy: string, checkpoint?: string) => {
    const agents = checkpoint ? asetAgentsOf(readAsetCheckpoint(checkpoint), checkpoint, scenario, catalog) : undefined;
    return simulatePolicy(scenario, zoo, policy, settings, agents);
  };

  const staticRuns = STATIC_POLICY_NAMES.map((policy) => simulate(policy));
  const staticRanking = staticRuns.map((r) => ({ policy: r.policy, simSuccess: r.summary.successRatio })).sort((a, b) => b.simSuccess - a.simSuccess);
  const upperBound = staticRuns[0]?.upperBound ?? 0;

  const runs: PlannedRun[] = [];
  const skipped: DemoPlan['skipped'] = [];
  const add = (policy: string, role: PlannedRun['role']) => {
    const mode = agentModeOf(policy);
    if (!mode) {
      const simmed = staticRuns.find((r) => r.policy === policy) ?? simulate(policy);
      runs.push({ policy, role, env: {}, simSuccess: simmed.summary.successRatio });
      return;
    }
    const checkpoint = checkpointPath(agentsFrom, mode, input.checkpoints);
    if (!existsSync(checkpoint)) {
      const reason = `its checkpoint ${checkpoint} does not exist: train one with npm run train -- --scenario ${agentsFrom} --mode ${mode}, or name trained agents with --agents-from / --checkpoints`;
      if (role === 'asked') throw new DemoPlanError(`policy ${policy} needs a trained agent: ${reason}`);
      skipped.push({ policy, reason });
      return;
    }
    runs.push({ policy, role, env: { ASET_CHECKPOINT: checkpoint }, simSuccess: simulate(policy, checkpoint).summary.successRatio });
  };

  if (input.policies && input.policies.length > 0) {
    for (const policy of input.policies) {
      if (!isPolicyName(policy)) throw new DemoPlanError(`unknown policy "${policy}"; expected one of: ${POLICY_NAMES.join(', ')}`);
    }
    for (const policy of new Set(input.policies)) add(policy, 'asked');
  } else {
    add((staticRanking[0] as { policy: string }).policy, 'best static');
    add('aset-direct', 'ASET');
    add('aset', 'ASET');
  }
  return { scenario, seed: settings.seed, queries: settings.queries, warmupQueries: settings.warmupQueries, runs, skipped, staticRanking, upperBound };
}

import { deriveSeed } from '@aset/determinism';
import type { ModelZoo } from '@aset/model-zoo';
import { DqnAgent, saveCheckpoint, type DqnOptions } from '@aset/rl';
import type { Scenario } from '@aset/scenario';
import {
  ASET_DIRECT_DEFAULTS,
  AsetDirectPolicy,
  AsetPolicy,
  AsetStateEncoder,
  CANDIDATE_FEATURES,
  DqnController,
  PlacementCatalog,
  RecentActivity,
  STATIC_POLICY_NAMES,
  createPolicy,
  greedyController,
  type AsetCheckpointMetadata,
  type AsetController,
  type PolicyContext,
  type SchedulingPolicy,
} from '@aset/scheduling';
import { Simulation, SummarySink } from '@aset/sim';
import { DEFAULT_EPISODE_SPACE, randomEpisode, type Episode, type EpisodeSpace } from './episode.randomizer.js';

export type AsetMode = 'aset' | 'aset-direct';

export interface TrainConfig {
  mode: AsetMode;
  scenario: Scenario;
  zoo: ModelZoo;
  seed: number;
  episodes: number;
  /** Evaluate (greedy, on fixed episodes) every this many training episodes. */
  evalEvery: number;
  evalEpisodes: number;
  space?: Partial<EpisodeSpace>;
  /** aset: the meta step and the static policies it chooses among. */
  stepMs?: number;
  policies?: readonly string[];
  /** aset-direct: candidate slots and how many nearest clusters to draw them from. */
  candidateSlots?: number;
  nearestClusters?: number;
  /** aset-direct: offer only each cluster's fastest variant meeting the floor (recorded in the checkpoint). */
  fastestVariantOnly?: boolean;
  /** Overrides of the DQN defaults for the mode. */
  dqn?: Partial<DqnOptions>;
  /** The testbed's messaging time, to train for a live deployment (as measured by validate:sim). */
  overheadMs?: { request: number; reply: number };
  onProgress?: (event: TrainProgress) => void;
}

export type TrainProgress =
  | { kind: 'baseline'; policy: string; evalSuccess: number }
  | { kind: 'episode'; episode: number; episodes: number; success: number; label: string; epsilon: number; transitions: number }
  | { kind: 'eval'; episode: number; evalSuccess: number; best: boolean };

export interface CurvePoint {
  episode: number;
  /** Success ratio of the training episode (exploring). */
  trainSuccess: number;
  /** Greedy success ratio over the evaluation episodes, when evaluated after this episode. */
  evalSuccess?: number;
}

export interface TrainResult {
  /** The checkpoint (JSON text) of the best evaluation. */
  checkpoint: string;
  metadata: AsetCheckpointMetadata;
  curve: CurvePoint[];
  best: { episode: number; evalSuccess: number };
  /** Success ratio of each static policy on the same evaluation episodes. */
  baselines: Record<string, number>;
}

/** Simulates one episode with a policy built by `make`, and returns the measured success ratio. */
function runEpisode(
  episode: Episode,
  zoo: ModelZoo,
  make: (ctx: PolicyContext) => SchedulingPolicy,
  overheadMs: { request: number; reply: number } | undefined,
  after?: (sim: Simulation) => void,
): number {
  const sink = new SummarySink();
  const sim = new Simulation({
    ...(overheadMs ? { overheadMs } : {}),
    scenario: episode.scenario,
    zoo,
    seed: episode.seed,
    queries: Number.MAX_SAFE_INTEGER,
    durationMs: episode.durationMs,
    rateScale: episode.rateScale,
    policy: make,
    sink,
  });
  sim.run();
  after?.(sim);
  return sink.summary().successRatio;
}

const DEFAULTS: Record<AsetMode, Partial<DqnOptions>> = {
  aset: { hidden: [64, 64], lr: 5e-4, gamma: 0.8, batchSize: 32, bufferSize: 20_000, targetUpdateEvery: 200, trainEvery: 1, warmupSteps: 64 },
  'aset-direct': { hidden: [64, 64], lr: 1e-3, gamma: 0, batchSize: 64, bufferSize: 50_000, targetUpdateEvery: 500, trainEvery: 8, warmupSteps: 2_000 },
};

/**
 * Trains ASET in the simulator over randomized episodes (load level, day-night phase, flash crowds,
 * link degradation, outages), evaluates the greedy agent on fixed episodes every `evalEvery`
 * episodes, and keeps the best. Deterministic for a seed.
 */
export function trainAset(config: TrainConfig): TrainResult {
  const { scenario, zoo, mode, seed } = config;
  const space = { ...DEFAULT_EPISODE_SPACE, ...config.space };
  const catalog = new PlacementCatalog(scenario, zoo);
  const policies = config.policies ?? STATIC_POLICY_NAMES;
  const stepMs = config.stepMs ?? 1000;
  const slots = config.candidateSlots ?? ASET_DIRECT_DEFAULTS.candidateSlots;
  const nearest = config.nearestClusters ?? ASET_DIRECT_DEFAULTS.nearestClusters;

  const stateSize =
    mode === 'aset' ? new AsetStateEncoder(scenario, catalog, new RecentActivity(scenario, catalog), policies.length).size : slots * CANDIDATE_FEATURES + 2;
  const actionCount = mode === 'aset' ? policies.length : slots;
  const evalSet = Array.from({ length: config.evalEpisodes }, (_, i) => randomEpisode(scenario, deriveSeed(seed, 'eval'), i, space));

  // Rough decision count, to spread exploration over the first 60% of training.
  const totalRate = scenario.spec.workload.arrivals.reduce((a, x) => a + (x.process.kind === 'poisson' ? x.process.ratePerSec : 0), 0) || 100;
  const decisions = mode === 'aset' ? (config.episodes * space.durationSec * 1000) / stepMs : config.episodes * space.durationSec * totalRate;
  const agent = new DqnAgent({
    stateSize,
    actionCount,
    seed: deriveSeed(seed, 'agent') >>> 1,
    epsilon: { kind: 'linear', start: 1, end: 0.05, steps: Math.max(1, Math.round(decisions * 0.6)) },
    ...DEFAULTS[mode],
    ...config.dqn,
  });
  const learner = new DqnController(agent);
  const policyFor = (controller: AsetController) => (ctx: PolicyContext): SchedulingPolicy =>
    mode === 'aset' ? new AsetPolicy(ctx, { controller, policies, stepMs }) : new AsetDirectPolicy(ctx, { controller, candidateSlots: slots, nearestClusters: nearest, fastestVariantOnly: config.fastestVariantOnly === true });
  const finish = (sim: Simulation) => {
    sim.policy.endEpisode?.(sim.currentObservation);
  };

  const baselines: Record<string, number> = {};
  for (const p of STATIC_POLICY_NAMES) {
    baselines[p] = mean(evalSet.map((e) => runEpisode(e, zoo, (ctx) => createPolicy(p, ctx), config.overheadMs)));
    config.onProgress?.({ kind: 'baseline', policy: p, evalSuccess: baselines[p] as number });
  }

  const greedy = greedyController(agent);
  const evaluate = () => mean(evalSet.map((e) => runEpisode(e, zoo, policyFor(greedy), config.overheadMs)));
  // Recorded only when used, so that checkpoints trained without it regenerate byte for byte.
  const sloVariation = space.sloVariation > 0 ? { sloVariation: space.sloVariation } : {};
  const metadataFor = (episode: number, evalSuccess: number): AsetCheckpointMetadata =>
    mode === 'aset'
      ? { mode, policies: [...policies], stepMs, stateSize, scenario: scenario.name, seed, episode, evalSuccess, episodes: config.episodes, baselines, overheadMs: config.overheadMs ?? null, ...sloVariation }
      : { mode, candidateSlots: slots, nearestClusters: nearest, ...(config.fastestVariantOnly ? { fastestVariantOnly: true } : {}), stateSize, scenario: scenario.name, seed, episode, evalSuccess, episodes: config.episodes, baselines, overheadMs: config.overheadMs ?? null, ...sloVariation };

  const curve: CurvePoint[] = [];
  let best = { episode: 0, evalSuccess: -1 };
  let checkpoint = '';
  let metadata = metadataFor(0, 0);
  const clock = { now: () => 0, sleep: async () => {} };
  for (let e = 1; e <= config.episodes; e++) {
    const episode = randomEpisode(scenario, seed, e, space);
    const success = runEpisode(episode, zoo, policyFor(learner), config.overheadMs, finish);
    const point: CurvePoint = { episode: e, trainSuccess: success };
    config.onProgress?.({ kind: 'episode', episode: e, episodes: config.episodes, success, label: episode.label, epsilon: agent.epsilon, transitions: learner.transitions });
    if (e % config.evalEvery === 0 || e === config.episodes) {
      const evalSuccess = evaluate();
      point.evalSuccess = evalSuccess;
      const isBest = evalSuccess > best.evalSuccess;
      if (isBest) {
        best = { episode: e, evalSuccess };
        metadata = metadataFor(e, evalSuccess);
        checkpoint = saveCheckpoint(agent, metadata, { clock });
      }
      config.onProgress?.({ kind: 'eval', episode: e, evalSuccess, best: isBest });
    }
    curve.push(point);
  }
  return { checkpoint, metadata, curve, best, baselines };
}

function mean(xs: number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0;
}

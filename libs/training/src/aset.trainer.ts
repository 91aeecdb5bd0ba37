import { deriveSeed } from '@aset/determinism';
import type { ModelZoo } from '@aset/model-zoo';
import { DqnAgent, saveCheckpoint, type DqnOptions } from '@aset/rl';
import type { Scenario } from '@aset/scenario';
import {
  ASET_DIRECT_DEFAULTS,
  AsetStateEncoder,
  candidateStateSize,
  DqnController,
  PlacementCatalog,
  RecentActivity,
  STATIC_POLICY_NAMES,
  createPolicy,
  greedyController,
  type AsetCheckpointMetadata,
  type AsetController,
} from '@aset/scheduling';
import { DEFAULT_EPISODE_SPACE, randomEpisode, type EpisodeSpace } from './episode.randomizer.js';
import { asetPolicyFor, inProcessCollector, learnFrom, type ActorSetup, type ExperienceCollector } from './experience.collector.js';
import { runEpisode, settleEpisode } from './episode.runner.js';

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
  /** aset-direct: add the headroom view to the state (recorded in the checkpoint). */
  headroom?: boolean;
  /** aset-direct: what the agent is taught (AsetAgents.asetDirect.objective; recorded in the checkpoint when not `query`). */
  objective?: 'query' | 'discounted';
  /** Overrides of the DQN defaults for the mode. */
  dqn?: Partial<DqnOptions>;
  /** The testbed's messaging time, to train for a live deployment (as measured by validate:sim). */
  overheadMs?: { request: number; reply: number };
  /**
   * Collect experience in rounds of this many episodes, each acted by a frozen copy of the network
   * as the round began (ExperienceCollector), then learned from in episode order. Absent: online,
   * one episode after the other, learning while it acts (how the shipped checkpoints were trained).
   */
  actors?: number;
  /** Where a round's episodes run (default: this thread, in order); given the run's actor setup. */
  collector?: (setup: ActorSetup) => ExperienceCollector;
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

const DEFAULTS: Record<AsetMode, Partial<DqnOptions>> = {
  aset: { hidden: [64, 64], lr: 5e-4, gamma: 0.8, batchSize: 32, bufferSize: 20_000, targetUpdateEvery: 200, trainEvery: 1, warmupSteps: 64 },
  'aset-direct': { hidden: [64, 64], lr: 1e-3, gamma: 0, batchSize: 64, bufferSize: 50_000, targetUpdateEvery: 500, trainEvery: 8, warmupSteps: 2_000 },
};

/** aset-direct with the discounted objective: the queries that follow count, over a horizon of some tens of queries. */
const DISCOUNTED_DEFAULTS: Partial<DqnOptions> = { gamma: 0.95 };

/** The DQN settings `trainAset` gives a mode (before `TrainConfig.dqn` overrides). */
export function dqnDefaults(mode: AsetMode, objective: 'query' | 'discounted' = 'query'): Partial<DqnOptions> {
  return { ...DEFAULTS[mode], ...(mode === 'aset-direct' && objective === 'discounted' ? DISCOUNTED_DEFAULTS : {}) };
}

/**
 * Trains ASET in the simulator over randomized episodes (load level, day-night phase, flash crowds,
 * link degradation, outages), evaluates the greedy agent on fixed episodes every `evalEvery`
 * episodes, and keeps the best. Deterministic for a seed (and, with `actors`, for the actor count:
 * not for the collector's threads, which only decide where a round's episodes run).
 */
export async function trainAset(config: TrainConfig): Promise<TrainResult> {
  const { scenario, zoo, mode, seed } = config;
  const space = { ...DEFAULT_EPISODE_SPACE, ...config.space };
  const catalog = new PlacementCatalog(scenario, zoo);
  const policies = config.policies ?? STATIC_POLICY_NAMES;
  const stepMs = config.stepMs ?? 1000;
  const slots = config.candidateSlots ?? ASET_DIRECT_DEFAULTS.candidateSlots;
  const nearest = config.nearestClusters ?? ASET_DIRECT_DEFAULTS.nearestClusters;

  const stateSize =
    mode === 'aset' ? new AsetStateEncoder(scenario, catalog, new RecentActivity(scenario, catalog), policies.length).size : candidateStateSize(slots, config.headroom === true);
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
    ...dqnDefaults(mode, config.objective),
    ...config.dqn,
  });
  const learner = new DqnController(agent);
  const setup: ActorSetup = {
    mode,
    seed,
    space,
    stateSize,
    actionCount,
    hidden: agent.config.hidden,
    policies,
    stepMs,
    candidateSlots: slots,
    nearestClusters: nearest,
    fastestVariantOnly: config.fastestVariantOnly === true,
    headroom: config.headroom === true,
    objective: config.objective ?? 'query',
    ...(config.overheadMs ? { overheadMs: config.overheadMs } : {}),
  };
  const policyFor = (controller: AsetController) => asetPolicyFor(setup, controller);

  const baselines: Record<string, number> = {};
  for (const p of STATIC_POLICY_NAMES) {
    baselines[p] = mean(evalSet.map((e) => runEpisode(e, zoo, (ctx) => createPolicy(p, ctx), config.overheadMs)));
    config.onProgress?.({ kind: 'baseline', policy: p, evalSuccess: baselines[p] as number });
  }

  const greedy = greedyController(agent);
  const evaluate = () => mean(evalSet.map((e) => runEpisode(e, zoo, policyFor(greedy), config.overheadMs)));
  // Recorded only when used, so that checkpoints trained without them regenerate byte for byte.
  const variations = {
    ...(space.sloVariation > 0 ? { sloVariation: space.sloVariation } : {}),
    ...(space.hardwareVariation > 0 ? { hardwareVariation: space.hardwareVariation } : {}),
    ...(space.appLoadVariation > 0 ? { appLoadVariation: space.appLoadVariation } : {}),
  };
  const directOptions = { ...(setup.headroom ? { headroom: true } : {}), ...(setup.objective === 'discounted' ? { objective: 'discounted' as const } : {}) };
  const actors = config.actors ? { actors: config.actors } : {};
  const metadataFor = (episode: number, evalSuccess: number): AsetCheckpointMetadata =>
    mode === 'aset'
      ? { mode, policies: [...policies], stepMs, stateSize, scenario: scenario.name, seed, episode, evalSuccess, episodes: config.episodes, baselines, overheadMs: config.overheadMs ?? null, ...variations, ...actors }
      : { mode, candidateSlots: slots, nearestClusters: nearest, ...(config.fastestVariantOnly ? { fastestVariantOnly: true } : {}), ...directOptions, stateSize, scenario: scenario.name, seed, episode, evalSuccess, episodes: config.episodes, baselines, overheadMs: config.overheadMs ?? null, ...variations, ...actors };

  const curve: CurvePoint[] = [];
  let best = { episode: 0, evalSuccess: -1 };
  let checkpoint = '';
  let metadata = metadataFor(0, 0);
  const clock = { now: () => 0, sleep: async () => {} };
  const evaluateAfter = (e: number, point: CurvePoint) => {
    const evalSuccess = evaluate();
    point.evalSuccess = evalSuccess;
    const isBest = evalSuccess > best.evalSuccess;
    if (isBest) {
      best = { episode: e, evalSuccess };
      metadata = metadataFor(e, evalSuccess);
      checkpoint = saveCheckpoint(agent, metadata, { clock });
    }
    config.onProgress?.({ kind: 'eval', episode: e, evalSuccess, best: isBest });
  };
  const due = (e: number) => e % config.evalEvery === 0 || e === config.episodes;

  if (!config.actors) {
    // Online: one episode after the other, learning while it acts.
    for (let e = 1; e <= config.episodes; e++) {
      const episode = randomEpisode(scenario, seed, e, space);
      const success = runEpisode(episode, zoo, policyFor(learner), config.overheadMs, settleEpisode);
      const point: CurvePoint = { episode: e, trainSuccess: success };
      config.onProgress?.({ kind: 'episode', episode: e, episodes: config.episodes, success, label: episode.label, epsilon: agent.epsilon, transitions: learner.transitions });
      if (due(e)) evaluateAfter(e, point);
      curve.push(point);
    }
  } else {
    // Rounds of `actors` episodes, each acted by the network as the round began; then learned from in episode order.
    const collector = config.collector ? config.collector(setup) : inProcessCollector(setup, scenario, zoo);
    try {
      for (let start = 1; start <= config.episodes; start += config.actors) {
        const end = Math.min(config.episodes, start + config.actors - 1);
        const parameters = agent.network.parameters.slice();
        const epsilon = agent.epsilon;
        const requests = Array.from({ length: end - start + 1 }, (_, k) => ({ episode: start + k, parameters, epsilon }));
        const batches = await collector.collect(requests);
        let evalDue = false;
        for (const batch of batches) {
          learnFrom(agent, batch, stateSize, actionCount);
          learner.transitions += batch.count;
          const point: CurvePoint = { episode: batch.episode, trainSuccess: batch.success };
          config.onProgress?.({ kind: 'episode', episode: batch.episode, episodes: config.episodes, success: batch.success, label: batch.label, epsilon, transitions: learner.transitions });
          evalDue ||= due(batch.episode);
          if (batch.episode === end && evalDue) evaluateAfter(end, point);
          curve.push(point);
        }
      }
    } finally {
      await collector.close();
    }
  }
  return { checkpoint, metadata, curve, best, baselines };
}

function mean(xs: number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0;
}

import { deriveSeed } from '@aset/determinism';
import type { ModelZoo } from '@aset/model-zoo';
import { DqnAgent } from '@aset/rl';
import type { Scenario } from '@aset/scenario';
import { AsetDirectPolicy, AsetPolicy, type AsetController, type PolicyContext, type SchedulingPolicy } from '@aset/scheduling';
import { randomEpisode, type EpisodeSpace } from './episode.randomizer.js';
import { runEpisode, settleEpisode } from './episode.runner.js';

/** What every actor of a training run shares: plain data, so that it crosses to worker threads. */
export interface ActorSetup {
  mode: 'aset' | 'aset-direct';
  /** The training run's seed: episodes and exploration derive from it. */
  seed: number;
  space: EpisodeSpace;
  stateSize: number;
  actionCount: number;
  hidden: readonly number[];
  /** aset: the static policies and the meta step. */
  policies: readonly string[];
  stepMs: number;
  /** aset-direct: candidate settings, the headroom view and the objective. */
  candidateSlots: number;
  nearestClusters: number;
  fastestVariantOnly: boolean;
  headroom: boolean;
  objective: 'query' | 'discounted';
  overheadMs?: { request: number; reply: number };
}

/** One episode to collect: the training episode's index, the network to act with and its exploration rate. */
export interface ActorRequest {
  episode: number;
  /** The online network's parameters (DqnAgent layout) when the round started. */
  parameters: Float32Array;
  epsilon: number;
}

/** The transitions of one collected episode, packed (row `i` of `states` is `states[i * stateSize ...]`). */
export interface ExperienceBatch {
  episode: number;
  /** Success ratio of the episode (exploring). */
  success: number;
  label: string;
  count: number;
  states: Float32Array;
  nextStates: Float32Array;
  actions: Int32Array;
  rewards: Float32Array;
  dones: Uint8Array;
  /** Valid actions in each next state (`actionCount` per row); absent when every action is valid (aset). */
  nextMasks?: Uint8Array;
}

/** Grows typed arrays as transitions arrive; `batch` trims them to the count. */
class TransitionRecorder {
  count = 0;
  private states: Float32Array;
  private nextStates: Float32Array;
  private actions: Int32Array;
  private rewards: Float32Array;
  private dones: Uint8Array;
  private nextMasks: Uint8Array | undefined;

  constructor(
    private readonly stateSize: number,
    private readonly actionCount: number,
    masked: boolean,
    capacity = 1024,
  ) {
    this.states = new Float32Array(capacity * stateSize);
    this.nextStates = new Float32Array(capacity * stateSize);
    this.actions = new Int32Array(capacity);
    this.rewards = new Float32Array(capacity);
    this.dones = new Uint8Array(capacity);
    this.nextMasks = masked ? new Uint8Array(capacity * actionCount) : undefined;
  }

  push(t: { state: Float32Array; action: number; reward: number; nextState: Float32Array; done: boolean; nextMask?: Uint8Array }): void {
    if (this.count === this.actions.length) this.grow();
    const i = this.count++;
    this.states.set(t.state, i * this.stateSize);
    this.nextStates.set(t.nextState, i * this.stateSize);
    this.actions[i] = t.action;
    this.rewards[i] = t.reward;
    this.dones[i] = t.done ? 1 : 0;
    if (this.nextMasks) {
      if (t.nextMask) this.nextMasks.set(t.nextMask, i * this.actionCount);
      else this.nextMasks.fill(1, i * this.actionCount, (i + 1) * this.actionCount);
    }
  }

  batch(episode: number, success: number, label: string): ExperienceBatch {
    const n = this.count;
    return {
      episode,
      success,
      label,
      count: n,
      states: this.states.slice(0, n * this.stateSize),
      nextStates: this.nextStates.slice(0, n * this.stateSize),
      actions: this.actions.slice(0, n),
      rewards: this.rewards.slice(0, n),
      dones: this.dones.slice(0, n),
      ...(this.nextMasks ? { nextMasks: this.nextMasks.slice(0, n * this.actionCount) } : {}),
    };
  }

  private grow(): void {
    const cap = this.actions.length * 2;
    const grown = <T extends Float32Array | Int32Array | Uint8Array>(a: T, size: number): T => {
      const b = new (a.constructor as new (n: number) => T)(size);
      b.set(a);
      return b;
    };
    this.states = grown(this.states, cap * this.stateSize);
    this.nextStates = grown(this.nextStates, cap * this.stateSize);
    this.actions = grown(this.actions, cap);
    this.rewards = grown(this.rewards, cap);
    this.dones = grown(this.dones, cap);
    if (this.nextMasks) this.nextMasks = grown(this.nextMasks, cap * this.actionCount);
  }
}

/** The ASET policy of a training run, acting and learning through `controller`. */
export function asetPolicyFor(setup: ActorSetup, controller: AsetController): (ctx: PolicyContext) => SchedulingPolicy {
  return (ctx) =>
    setup.mode === 'aset'
      ? new AsetPolicy(ctx, { controller, policies: setup.policies, stepMs: setup.stepMs })
      : new AsetDirectPolicy(ctx, {
          controller,
          candidateSlots: setup.candidateSlots,
          nearestClusters: setup.nearestClusters,
          fastestVariantOnly: setup.fastestVariantOnly,
          ...(setup.headroom ? { headroom: true } : {}),
          ...(setup.objective === 'discounted' ? { objective: 'discounted' as const } : {}),
        });
}

/**
 * Simulates training episode `request.episode` with a frozen copy of the network, exploring with
 * `request.epsilon` (draws from a stream derived from the run's seed and the episode index), and
 * returns its transitions. Deterministic in (setup, request): the same batch in any thread.
 */
export function collectEpisode(setup: ActorSetup, base: Scenario, zoo: ModelZoo, request: ActorRequest): ExperienceBatch {
  const actor = new DqnAgent({
    stateSize: setup.stateSize,
    actionCount: setup.actionCount,
    hidden: [...setup.hidden],
    seed: deriveSeed(setup.seed, `actor:${request.episode}`) >>> 1,
    epsilon: { kind: 'constant', value: request.epsilon },
  });
  actor.setParameters(request.parameters);
  const recorder = new TransitionRecorder(setup.stateSize, setup.actionCount, setup.mode === 'aset-direct');
  const controller: AsetController = {
    choose: (state, mask) => actor.act(state, mask ? { mask } : undefined),
    learn: (t) => recorder.push(t),
  };
  const episode = randomEpisode(base, setup.seed, request.episode, setup.space);
  const success = runEpisode(episode, zoo, asetPolicyFor(setup, controller), setup.overheadMs, settleEpisode);
  return recorder.batch(request.episode, success, episode.label);
}

/** Runs the episodes of a round, in this thread or others; answers in request order. */
export interface ExperienceCollector {
  collect(requests: readonly ActorRequest[]): Promise<ExperienceBatch[]>;
  close(): Promise<void>;
}

/** Collects in this thread, one episode after the other. */
export function inProcessCollector(setup: ActorSetup, base: Scenario, zoo: ModelZoo): ExperienceCollector {
  return {
    collect: (requests) => Promise.resolve(requests.map((r) => collectEpisode(setup, base, zoo, r))),
    close: () => Promise.resolve(),
  };
}

/** Feeds a batch's transitions, in order, to the learner (which trains on its schedule). */
export function learnFrom(agent: DqnAgent, batch: ExperienceBatch, stateSize: number, actionCount: number): void {
  for (let i = 0; i < batch.count; i++) {
    agent.observe({
      state: batch.states.subarray(i * stateSize, (i + 1) * stateSize),
      action: batch.actions[i] as number,
      reward: batch.rewards[i] as number,
      nextState: batch.nextStates.subarray(i * stateSize, (i + 1) * stateSize),
      done: batch.dones[i] === 1,
      ...(batch.nextMasks ? { nextMask: batch.nextMasks.subarray(i * actionCount, (i + 1) * actionCount) } : {}),
    });
  }
}

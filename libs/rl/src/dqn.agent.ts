import { deriveSeed, randomInt, seededRandom, type Random } from '@aset/determinism';
import { Adam } from './adam.optimizer.js';
import { resolveDqnConfig, type DqnConfig, type DqnOptions } from './dqn.config.js';
import { epsilonAt } from './epsilon.schedule.js';
import { huberGradient, huberLoss } from './huber.loss.js';
import { Mlp } from './mlp.network.js';
import { MlpSnapshot } from './mlp.snapshot.js';
import { ReplayBuffer, type ActionMask, type ReplayBatch, type Transition } from './replay.buffer.js';

/** Options of `DqnAgent.act`. */
export interface ActOptions {
  /** Epsilon-greedy when true (default), greedy when false. */
  explore?: boolean;
  /** Valid actions in this state (all when omitted); an invalid action is never returned. */
  mask?: ActionMask;
}

/**
 * Index of the largest `q[offset + a]` over `a` in `[0, count)` with `mask[maskOffset + a]` truthy
 * (every `a` when `mask` is undefined); the lowest index on ties; -1 when no action is valid.
 */
export function maskedArgmax(q: Float32Array, offset: number, count: number, mask?: ActionMask, maskOffset = 0): number {
  let best = -1;
  let bestValue = -Infinity;
  for (let a = 0; a < count; a++) {
    if (mask && !mask[maskOffset + a]) continue;
    const v = q[offset + a] as number;
    if (best < 0 || v > bestValue) {
      best = a;
      bestValue = v;
    }
  }
  return best;
}

/** Replay, optimiser and batch buffers: allocated on the first `observe`, so a greedy-only agent stays small. */
interface Trainer {
  buffer: ReplayBuffer;
  batch: ReplayBatch;
  optimizer: Adam;
  grad: Float32Array;
  outputGrads: Float32Array;
  targets: Float64Array;
  nextActions: Int32Array;
  random: Random;
}

/**
 * Deep Q-learning (Mnih et al. 2015) with experience replay, a target network (hard or soft updates),
 * Double DQN targets (van Hasselt et al. 2016) by default, Huber loss, Adam with gradient-norm clipping
 * and action masks.
 *
 * Determinism: every random draw comes from streams derived from `config.seed` (initialisation,
 * exploration, replay sampling), so the same seed and the same calls give bit-identical networks.
 * Not re-entrant: one caller at a time.
 */
export class DqnAgent {
  /** The resolved configuration (defaults filled in). */
  readonly config: DqnConfig;
  /** The online network (the one acted on and trained). */
  readonly network: Mlp;
  /** The target network used for bootstrapped targets. */
  readonly targetNetwork: Mlp;
  private readonly exploreRandom: Random;
  private readonly q: Float32Array;
  private trainer?: Trainer;
  private stepCount = 0;
  private updateCount = 0;

  /** Throws an Error naming each invalid option (see `DqnOptionsSchema`). */
  constructor(options: DqnOptions) {
    this.config = resolveDqnConfig(options);
    const { stateSize, actionCount, hidden, seed } = this.config;
    this.network = new Mlp([stateSize, ...hidden, actionCount], seededRandom(deriveSeed(seed, 'init')));
    this.targetNetwork = this.network.clone();
    this.exploreRandom = seededRandom(deriveSeed(seed, 'explore'));
    this.q = new Float32Array(actionCount);
  }

  /** `observe` calls so far (environment steps; drives epsilon, warm-up and `trainEvery`). */
  get steps(): number {
    return this.stepCount;
  }

  /** Gradient updates so far. */
  get updates(): number {
    return this.updateCount;
  }

  /** Current exploration rate. */
  get epsilon(): number {
    return epsilonAt(this.config.epsilon, this.stepCount);
  }

  /**
   * The greedy action: the largest Q-value among the valid actions (lowest index on ties). Allocates
   * nothing. Throws when `state` has the wrong length, or when `mask` has the wrong length or allows
   * no action.
   */
  greedy(state: Float32Array, mask?: ActionMask): number {
    const n = this.config.actionCount;
    if (mask && mask.length !== n) throw new RangeError(`DqnAgent: mask has ${mask.length} entries, expected ${n}`);
    this.network.forward(state, this.q);
    const a = maskedArgmax(this.q, 0, n, mask);
    if (a < 0) throw new RangeError('DqnAgent: the mask allows no action');
    return a;
  }

  /**
   * A greedy policy over the online network's parameters as they are now (an `MlpSnapshot`): the
   * same action as {@link greedy} for every state and mask while the network is not changed
   * afterwards (training or `setParameters` do not reach it), in less time. For agents that are only
   * evaluated, such as a loaded checkpoint's. Allocates nothing per call; not re-entrant.
   */
  greedySnapshot(): { greedy(state: Float32Array, mask?: ActionMask): number } {
    const snapshot = new MlpSnapshot(this.network);
    const n = this.config.actionCount;
    const q = new Float32Array(n);
    return {
      greedy(state: Float32Array, mask?: ActionMask): number {
        if (mask && mask.length !== n) throw new RangeError(`DqnAgent: mask has ${mask.length} entries, expected ${n}`);
        snapshot.forward(state, q);
        const a = maskedArgmax(q, 0, n, mask);
        if (a < 0) throw new RangeError('DqnAgent: the mask allows no action');
        return a;
      },
    };
  }

  /**
   * Epsilon-greedy action (uniform over the valid actions with probability `epsilon`, otherwise
   * `greedy`) when `explore` is true (the default); `greedy` otherwise. Exploration draws from the
   * agent's seeded stream; the greedy path allocates nothing.
   */
  act(state: Float32Array, options?: ActOptions): number {
    const mask = options?.mask;
    if (options?.explore === false) return this.greedy(state, mask);
    const n = this.config.actionCount;
    if (this.exploreRandom() >= this.epsilon) return this.greedy(state, mask);
    if (state.length !== this.config.stateSize) {
      throw new RangeError(`DqnAgent: state has ${state.length} values, expected ${this.config.stateSize}`);
    }
    if (!mask) return randomInt(this.exploreRandom, n);
    if (mask.length !== n) throw new RangeError(`DqnAgent: mask has ${mask.length} entries, expected ${n}`);
    let valid = 0;
    for (let a = 0; a < n; a++) if (mask[a]) valid++;
    if (valid === 0) throw new RangeError('DqnAgent: the mask allows no action');
    let pick = randomInt(this.exploreRandom, valid);
    for (let a = 0; a < n; a++) {
      if (!mask[a]) continue;
      if (pick === 0) return a;
      pick--;
    }
    throw new Error('unreachable');
  }

  /** The online network's Q-values for `state`, written into `out` when given, else into a new array. */
  qValues(state: Float32Array, out?: Float32Array): Float32Array {
    return this.network.forward(state, out ?? new Float32Array(this.config.actionCount));
  }

  /**
   * Stores `transition` in the replay buffer and counts one step; then, once `warmupSteps` steps have
   * been observed and the buffer holds `batchSize` transitions, runs one gradient update every
   * `trainEvery` steps. Returns that update's mean Huber loss, or undefined when none ran.
   */
  observe(transition: Transition): number | undefined {
    const trainer = this.trainer ?? this.createTrainer();
    trainer.buffer.push(transition);
    this.stepCount++;
    const { warmupSteps, batchSize, trainEvery } = this.config;
    if (this.stepCount < warmupSteps || trainer.buffer.size < batchSize || this.stepCount % trainEvery !== 0) return undefined;
    return this.train(trainer);
  }

  /**
   * Replaces the online parameters (layout of `Mlp`) and copies them to the target network. Replay
   * contents and optimiser moments are kept.
   */
  setParameters(parameters: Float32Array): void {
    if (parameters.length !== this.network.parameters.length) {
      throw new RangeError(`DqnAgent.setParameters: expected ${this.network.parameters.length} values, got ${parameters.length}`);
    }
    this.network.parameters.set(parameters);
    this.targetNetwork.copyFrom(this.network);
  }

  private createTrainer(): Trainer {
    const { stateSize, actionCount, batchSize, bufferSize, lr, gradClip, seed } = this.config;
    const buffer = new ReplayBuffer(bufferSize, stateSize, actionCount);
    this.trainer = {
      buffer,
      batch: buffer.createBatch(batchSize),
      optimizer: new Adam(this.network.parameters.length, gradClip === null ? { lr } : { lr, maxGradNorm: gradClip }),
      grad: new Float32Array(this.network.parameters.length),
      outputGrads: new Float32Array(batchSize * actionCount),
      targets: new Float64Array(batchSize),
      nextActions: new Int32Array(batchSize),
      random: seededRandom(deriveSeed(seed, 'replay')),
    };
    return this.trainer;
  }

  private train(t: Trainer): number {
    const { batchSize: size, actionCount: n, gamma, doubleDqn, huberDelta } = this.config;
    const { batch, targets, nextActions, outputGrads, grad } = t;
    t.buffer.sample(batch, t.random);
    const masks = batch.nextMasks;

    if (doubleDqn) {
      const qNextOnline = this.network.forwardBatch(batch.nextStates);
      for (let b = 0; b < size; b++) nextActions[b] = batch.dones[b] ? -1 : maskedArgmax(qNextOnline, b * n, n, masks, b * n);
    }
    const qNextTarget = this.targetNetwork.forwardBatch(batch.nextStates);
    for (let b = 0; b < size; b++) {
      let next = 0;
      if (!batch.dones[b]) {
        const a = doubleDqn ? (nextActions[b] as number) : maskedArgmax(qNextTarget, b * n, n, masks, b * n);
        next = a < 0 ? 0 : (qNextTarget[b * n + a] as number);
      }
      targets[b] = (batch.rewards[b] as number) + gamma * next;
    }

    const q = this.network.forwardBatch(batch.states);
    outputGrads.fill(0);
    let loss = 0;
    for (let b = 0; b < size; b++) {
      const k = b * n + (batch.actions[b] as number);
      const error = (q[k] as number) - (targets[b] as number);
      loss += huberLoss(error, huberDelta);
      outputGrads[k] = huberGradient(error, huberDelta) / size;
    }
    grad.fill(0);
    this.network.backwardBatch(batch.states, outputGrads, grad);
    t.optimizer.step(this.network.parameters, grad);
    this.updateCount++;

    const { tau, targetUpdateEvery } = this.config;
    if (tau !== undefined) this.targetNetwork.softUpdateFrom(this.network, tau);
    else if (targetUpdateEvery !== undefined && this.updateCount % targetUpdateEvery === 0) this.targetNetwork.copyFrom(this.network);
    return loss / size;
  }
}

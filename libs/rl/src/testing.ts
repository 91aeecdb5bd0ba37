import { randomInt, type Random } from '@aset/determinism';
import type { DqnAgent } from './dqn.agent.js';

/** Outcome of one deterministic transition of a `TabularMdp`. */
export interface MdpStep {
  next: number;
  reward: number;
  /** `next` is terminal. */
  done: boolean;
}

/**
 * A small deterministic MDP with known optimal values, for tests. States `0 .. stateCount - 1` are
 * non-terminal; terminal states are reported through `done` only.
 */
export interface TabularMdp {
  readonly name: string;
  readonly stateCount: number;
  readonly actionCount: number;
  /** Length of `encode`'s vectors. */
  readonly stateSize: number;
  /** Episodes longer than this are cut (not terminal: the agent bootstraps). */
  readonly maxEpisodeSteps: number;
  step(state: number, action: number): MdpStep;
  /** One-hot (or other) encoding of `state`, including terminal states reached through `step`. */
  encode(state: number): Float32Array;
  /** Valid actions in `state` (1 = valid), or undefined when all are. */
  mask(state: number): Uint8Array | undefined;
  /** Start state of an episode. */
  start(random: Random): number;
}

function oneHot(size: number, index: number): Float32Array {
  const v = new Float32Array(size);
  v[index] = 1;
  return v;
}

/**
 * A deterministic chain of `length` states, `0 .. length - 1`, the last one terminal: action 0 moves
 * left (staying at 0), action 1 moves right; only entering the last state pays (1). Optimal policy:
 * always right; `V*(s) = gamma^(length - 2 - s)`. Episodes start in a uniformly drawn non-terminal state.
 */
export function chainMdp(length = 6): TabularMdp {
  const goal = length - 1;
  return {
    name: `chain-${length}`,
    stateCount: goal,
    actionCount: 2,
    stateSize: length,
    maxEpisodeSteps: 4 * length,
    step(state, action) {
      if (action === 1) return state + 1 === goal ? { next: goal, reward: 1, done: true } : { next: state + 1, reward: 0, done: false };
      return { next: Math.max(0, state - 1), reward: 0, done: false };
    },
    encode: (state) => oneHot(length, state),
    mask: () => undefined,
    start: (random) => randomInt(random, goal),
  };
}

/**
 * Contextual-bandit-like MDP with action masks: 4 contexts visited in a cycle (`c -> c + 1 mod 4`
 * whatever the action), 5 actions, reward `R[c][a]`, never terminal. Action 4 pays 1 where it is
 * valid (contexts 1 and 3) and is invalid in contexts 0 and 2, where other actions are masked too.
 * The optimal action in each context is its best valid reward (the next context does not depend on
 * the action); an agent that lets invalid actions into its targets' max overestimates every value.
 */
export function maskedBanditMdp(): TabularMdp {
  const rewards = [
    [0.2, 0.6, 0.1, 0.0, 0.0],
    [0.3, 0.0, 0.5, 0.2, 1.0],
    [0.0, 0.1, 0.0, 0.4, 0.0],
    [0.5, 0.0, 0.2, 0.7, 1.0],
  ];
  const masks = [
    Uint8Array.of(1, 1, 1, 0, 0),
    Uint8Array.of(1, 1, 1, 1, 1),
    Uint8Array.of(1, 0, 1, 1, 0),
    Uint8Array.of(1, 1, 0, 1, 1),
  ];
  return {
    name: 'masked-bandit',
    stateCount: 4,
    actionCount: 5,
    stateSize: 4,
    maxEpisodeSteps: 16,
    step(state, action) {
      const mask = masks[state];
      if (!mask?.[action]) throw new RangeError(`masked-bandit: action ${action} is invalid in context ${state}`);
      return { next: (state + 1) % 4, reward: rewards[state]?.[action] ?? 0, done: false };
    },
    encode: (state) => oneHot(4, state),
    mask: (state) => masks[state],
    start: (random) => randomInt(random, 4),
  };
}

/**
 * Optimal action values by value iteration: `q[s * actionCount + a]`, NaN for masked actions. Exact up
 * to `1e-12` for gamma < 1.
 */
export function optimalQValues(mdp: TabularMdp, gamma: number): Float64Array {
  const { stateCount: ns, actionCount: na } = mdp;
  const q = new Float64Array(ns * na);
  const v = new Float64Array(ns);
  for (let iter = 0; iter < 10_000; iter++) {
    let change = 0;
    for (let s = 0; s < ns; s++) {
      const mask = mdp.mask(s);
      let best = -Infinity;
      for (let a = 0; a < na; a++) {
        if (mask && !mask[a]) {
          q[s * na + a] = NaN;
          continue;
        }
        const t = mdp.step(s, a);
        const value = t.reward + (t.done ? 0 : gamma * (v[t.next] as number));
        q[s * na + a] = value;
        best = Math.max(best, value);
      }
      change = Math.max(change, Math.abs(best - (v[s] as number)));
      v[s] = best;
    }
    if (change < 1e-13) break;
  }
  return q;
}

/** The optimal action in each non-terminal state (lowest index on ties). */
export function optimalPolicy(mdp: TabularMdp, gamma: number): number[] {
  const q = optimalQValues(mdp, gamma);
  return Array.from({ length: mdp.stateCount }, (_, s) => {
    let best = -1;
    for (let a = 0; a < mdp.actionCount; a++) {
      const v = q[s * mdp.actionCount + a] as number;
      if (!Number.isNaN(v) && (best < 0 || v > (q[s * mdp.actionCount + best] as number))) best = a;
    }
    return best;
  });
}

/** The agent's greedy action in each non-terminal state, with the MDP's masks. */
export function greedyPolicy(agent: DqnAgent, mdp: TabularMdp): number[] {
  return Array.from({ length: mdp.stateCount }, (_, s) => agent.greedy(mdp.encode(s), mdp.mask(s)));
}

/**
 * Runs `steps` epsilon-greedy environment steps of `agent` on `mdp` (episode starts drawn from
 * `random`), feeding every transition, with the next state's mask, to `agent.observe`.
 */
export function trainOnMdp(agent: DqnAgent, mdp: TabularMdp, steps: number, random: Random): void {
  let state = mdp.start(random);
  let length = 0;
  for (let k = 0; k < steps; k++) {
    const mask = mdp.mask(state);
    const encoded = mdp.encode(state);
    const action = agent.act(encoded, mask ? { mask } : {});
    const t = mdp.step(state, action);
    const nextMask = t.done ? undefined : mdp.mask(t.next);
    agent.observe({ state: encoded, action, reward: t.reward, nextState: mdp.encode(t.next), done: t.done, ...(nextMask ? { nextMask } : {}) });
    length++;
    if (t.done || length >= mdp.maxEpisodeSteps) {
      state = mdp.start(random);
      length = 0;
    } else {
      state = t.next;
    }
  }
}

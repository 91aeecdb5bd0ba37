import { seededRandom } from '@aset/determinism';
import { describe, expect, it } from 'vitest';
import { DqnAgent } from './dqn.agent.js';
import type { DqnOptions } from './dqn.config.js';
import { chainMdp, greedyPolicy, maskedBanditMdp, optimalPolicy, optimalQValues, trainOnMdp, type TabularMdp } from './testing.js';

function agentFor(mdp: TabularMdp, gamma: number, steps: number, extra: Partial<DqnOptions> = {}): DqnAgent {
  return new DqnAgent({
    stateSize: mdp.stateSize,
    actionCount: mdp.actionCount,
    hidden: [32],
    lr: 3e-3,
    gamma,
    batchSize: 32,
    bufferSize: 5000,
    targetUpdateEvery: 50,
    epsilon: { kind: 'linear', start: 1, end: 0.1, steps: steps / 2 },
    warmupSteps: 100,
    seed: 1,
    ...extra,
  });
}

/** Largest |Q - Q*| over the valid (state, action) pairs. */
function maxQError(agent: DqnAgent, mdp: TabularMdp, gamma: number): number {
  const optimal = optimalQValues(mdp, gamma);
  let worst = 0;
  for (let s = 0; s < mdp.stateCount; s++) {
    const q = agent.qValues(mdp.encode(s));
    for (let a = 0; a < mdp.actionCount; a++) {
      const target = optimal[s * mdp.actionCount + a]!;
      if (!Number.isNaN(target)) worst = Math.max(worst, Math.abs(q[a]! - target));
    }
  }
  return worst;
}

describe('DqnAgent learning', () => {
  const chain = chainMdp(6);
  const steps = 3000;

  it('the chain has the analytic optimum used below: always right, V*(s) = 0.9^(4 - s)', () => {
    expect(optimalPolicy(chain, 0.9)).toEqual([1, 1, 1, 1, 1]);
    const q = optimalQValues(chain, 0.9);
    for (let s = 0; s < 5; s++) expect(q[s * 2 + 1]).toBeCloseTo(0.9 ** (4 - s), 12);
  });

  for (const [label, extra] of [
    ['Double DQN, hard target updates', {}],
    ['vanilla DQN', { doubleDqn: false }],
    ['soft target updates', { targetUpdateEvery: undefined, tau: 0.05 }],
  ] as const) {
    it(`learns the optimal policy and Q-values of a 6-state chain (${label})`, () => {
      const agent = agentFor(chain, 0.9, steps, extra);
      trainOnMdp(agent, chain, steps, seededRandom(101));
      expect(agent.updates).toBe(steps - 99);
      expect(greedyPolicy(agent, chain)).toEqual([1, 1, 1, 1, 1]);
      expect(maxQError(agent, chain, 0.9)).toBeLessThan(0.01);
    });
  }

  it('learns a masked contextual-bandit-like MDP: never picks an invalid action, exact Q-values on valid ones', () => {
    const mdp = maskedBanditMdp();
    const agent = agentFor(mdp, 0.5, steps);
    // trainOnMdp would throw if the agent ever chose an invalid action (the MDP refuses them).
    trainOnMdp(agent, mdp, steps, seededRandom(101));
    expect(optimalPolicy(mdp, 0.5)).toEqual([1, 4, 3, 4]);
    expect(greedyPolicy(agent, mdp)).toEqual([1, 4, 3, 4]);
    // Targets that let masked actions into the max overestimate these by 0.02 to 0.4.
    expect(maxQError(agent, mdp, 0.5)).toBeLessThan(0.01);
  });
});

describe('DqnAgent acting', () => {
  it('explores uniformly over the valid actions only', () => {
    const agent = new DqnAgent({ stateSize: 2, actionCount: 5, hidden: [4], epsilon: { kind: 'constant', value: 1 } });
    const mask = Uint8Array.of(1, 0, 1, 1, 0);
    const counts = [0, 0, 0, 0, 0];
    for (let k = 0; k < 3000; k++) counts[agent.act(Float32Array.of(0.1, 0.2), { mask })]!++;
    expect(counts[1]).toBe(0);
    expect(counts[4]).toBe(0);
    for (const a of [0, 2, 3]) expect(counts[a]).toBeGreaterThan(900);
  });

  it('greedy returns the best valid action, and explore: false is greedy', () => {
    const agent = new DqnAgent({ stateSize: 3, actionCount: 6, hidden: [8], seed: 4 });
    const state = Float32Array.of(0.3, -1, 2);
    const q = agent.qValues(state);
    const best = q.indexOf(Math.max(...q));
    expect(agent.greedy(state)).toBe(best);
    expect(agent.act(state, { explore: false })).toBe(best);
    const mask = new Array<boolean>(6).fill(true);
    mask[best] = false;
    const rest = Array.from(q).map((v, a) => (a === best ? -Infinity : v));
    expect(agent.greedy(state, mask)).toBe(rest.indexOf(Math.max(...rest)));
    expect(() => agent.greedy(state, new Array<boolean>(6).fill(false))).toThrow(/allows no action/);
    expect(() => agent.greedy(state, [true])).toThrow(/mask has 1 entries, expected 6/);
  });

  it('does not train before the warm-up, then trains every trainEvery steps', () => {
    const agent = new DqnAgent({ stateSize: 1, actionCount: 2, hidden: [4], batchSize: 4, warmupSteps: 10, trainEvery: 3 });
    const losses: (number | undefined)[] = [];
    for (let k = 0; k < 20; k++) losses.push(agent.observe({ state: [k], action: k % 2, reward: 1, nextState: [k + 1], done: false }));
    expect(losses.map((l) => l !== undefined)).toEqual(Array.from({ length: 20 }, (_, k) => k + 1 >= 10 && (k + 1) % 3 === 0));
    expect(agent.updates).toBe(3);
    expect(agent.steps).toBe(20);
  });

  it('rejects an invalid configuration, naming the field', () => {
    expect(() => new DqnAgent({ stateSize: 0, actionCount: 2 })).toThrow(/DqnAgent config: stateSize: /);
    expect(() => new DqnAgent({ stateSize: 2, actionCount: 2, tau: 0.1, targetUpdateEvery: 10 })).toThrow(/DqnAgent config: tau: expected either tau/);
    expect(() => new DqnAgent({ stateSize: 2, actionCount: 2, batchSize: 64, bufferSize: 10 })).toThrow(/bufferSize: expected bufferSize >= batchSize/);
    expect(() => new DqnAgent({ stateSize: 2, actionCount: 2, gama: 0.9 } as DqnOptions)).toThrow(/gama/);
  });
});

describe('DqnAgent determinism', () => {
  function train(seed: number): DqnAgent {
    const mdp = chainMdp(6);
    const agent = agentFor(mdp, 0.9, 800, { seed });
    trainOnMdp(agent, mdp, 800, seededRandom(7));
    return agent;
  }

  it('the same seed gives a bit-identical training trajectory; another seed does not', () => {
    const a = train(21);
    const b = train(21);
    const c = train(22);
    expect(a.updates).toBeGreaterThan(500);
    const bytes = (x: Float32Array) => Buffer.from(x.buffer, x.byteOffset, x.byteLength);
    expect(bytes(a.network.parameters).equals(bytes(b.network.parameters))).toBe(true);
    expect(bytes(a.targetNetwork.parameters).equals(bytes(b.targetNetwork.parameters))).toBe(true);
    const mdp = chainMdp(6);
    for (let s = 0; s < 6; s++) expect(bytes(a.qValues(mdp.encode(s))).equals(bytes(b.qValues(mdp.encode(s))))).toBe(true);
    expect(bytes(a.network.parameters).equals(bytes(c.network.parameters))).toBe(false);
  });
});

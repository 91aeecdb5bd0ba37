import type { DqnAgent } from '@aset/rl';
import type { AsetController } from './aset.agents.js';

/**
 * A learning controller over a DQN agent: the agent's exploring actions (its epsilon schedule), every
 * transition stored and trained on. Used in training and for online learning in the live scheduler.
 */
export class DqnController implements AsetController {
  /** Transitions learned from. */
  transitions = 0;
  /** Sum of rewards learned from (for the mean training reward). */
  rewardSum = 0;

  constructor(readonly agent: DqnAgent) {}

  choose(state: Float32Array, mask?: Uint8Array): number {
    return this.agent.act(state, mask ? { mask } : undefined);
  }

  learn(t: { state: Float32Array; action: number; reward: number; nextState: Float32Array; done: boolean; mask?: Uint8Array; nextMask?: Uint8Array }): void {
    this.transitions++;
    this.rewardSum += t.reward;
    this.agent.observe({ state: t.state, action: t.action, reward: t.reward, nextState: t.nextState, done: t.done, ...(t.nextMask ? { nextMask: t.nextMask } : {}) });
  }
}

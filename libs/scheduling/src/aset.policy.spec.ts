import { describe, expect, it } from 'vitest';
import type { AsetController } from './aset.agents.js';
import { AsetPolicy } from './aset.policy.js';
import type { QueryOutcome } from './policy.contract.js';
import { idleObservation, queryView, repoPolicyContext } from './testing.js';

interface Learned {
  action: number;
  reward: number;
  done: boolean;
  /** The time feature of the state and next state is not asserted; their identity is. */
  state: Float32Array;
  nextState: Float32Array;
}

/** A controller that always picks `closest` (action 0) and records what it learns. */
function recordingController(): { controller: AsetController; learned: Learned[]; states: Float32Array[] } {
  const learned: Learned[] = [];
  const states: Float32Array[] = [];
  return {
    learned,
    states,
    controller: {
      choose: (state) => {
        states.push(state);
        return 0;
      },
      learn: (t) => learned.push({ action: t.action, reward: t.reward, done: t.done, state: t.state, nextState: t.nextState }),
    },
  };
}

// The demo scenario gives up on replies after 2 s: with 1 s steps, a step's queries have all ended
// (or timed out) 3 s after the step's end at the latest.
function setup() {
  const ctx = repoPolicyContext('demo');
  const rec = recordingController();
  const policy = new AsetPolicy(ctx, { controller: rec.controller, policies: ['closest', 'cloud'], stepMs: 1000 });
  const decide = (id: string, now: number) => policy.decide(queryView({ queryId: id, source: 'ap-1', createdAt: now }), idleObservation(ctx, now));
  const outcome = (id: string, createdAt: number, endedAt: number, sloMet: boolean): void =>
    policy.observeOutcome({ queryId: id, app: 'digit-reader', source: 'ap-1', clusterIndex: 0, status: sloMet ? 'completed' : 'timed_out', sloMet, createdAt, completedAt: endedAt, latencyMs: endedAt - createdAt, processingMs: null } as QueryOutcome);
  return { ctx, policy, decide, outcome, ...rec };
}

describe('AsetPolicy step settlement', () => {
  it('counts a time-out that ends two steps later against the step that sent the query', () => {
    const { policy, decide, outcome, learned, states } = setup();
    decide('a', 0);
    decide('b', 100);
    outcome('a', 0, 20, true);
    decide('c', 1000);
    decide('d', 2000);
    decide('e', 3000);
    expect(learned).toEqual([]); // step 0 still waits for b
    outcome('b', 100, 2100, false); // timed out 2 s after it was sent
    decide('f', 4000);
    expect(learned).toHaveLength(1);
    expect(learned[0]).toMatchObject({ action: 0, reward: 0.5, done: false });
    expect(learned[0]?.state).toBe(states[0]);
    expect(learned[0]?.nextState).toBe(states[1]);
    // Steps 1-3 wait for c, d, e; their settling keeps step order.
    outcome('d', 2000, 2010, true);
    outcome('c', 1000, 1010, true);
    decide('g', 5000);
    expect(learned.map((l) => l.reward)).toEqual([0.5, 1, 1]);
    expect(policy.activePolicy).toBe('closest');
  });

  it('counts an outcome that never comes as a failure once the query must have timed out', () => {
    const { decide, outcome, learned } = setup();
    decide('a', 0);
    decide('b', 500);
    outcome('a', 0, 10, true);
    decide('c', 3999); // step 3: 3 s after step 0's end is 4000
    expect(learned).toEqual([]);
    decide('d', 4000);
    expect(learned).toHaveLength(1);
    expect(learned[0]?.reward).toBe(0.5);
    // A late outcome of a settled step is ignored.
    outcome('b', 500, 4100, true);
    decide('e', 5000);
    expect(learned.map((l) => l.reward)).toEqual([0.5]);
  });

  it('settles every open step at the episode end, the last one as terminal', () => {
    const { ctx, policy, decide, outcome, learned, states } = setup();
    decide('a', 0);
    decide('b', 1000);
    decide('c', 3500); // step 2 saw no query
    outcome('a', 0, 10, true);
    outcome('b', 1000, 1010, false);
    policy.endEpisode(idleObservation(ctx, 3600));
    expect(learned.map((l) => [l.reward, l.done])).toEqual([
      [1, false],
      [0, false],
      [0, true], // c never ended: a failure
    ]);
    expect(learned[1]?.state).toBe(states[1]);
    expect(learned[1]?.nextState).toBe(states[2]);
    expect(learned[2]?.nextState).not.toBe(states[2]);
  });

  it('settles a step as soon as a long quiet gap reuses its slot', () => {
    const { decide, outcome, learned } = setup();
    decide('a', 0);
    decide('b', 1000);
    outcome('b', 1000, 1010, true);
    decide('c', 60_000); // a in flight, its slot is needed: settled as a failure
    expect(learned.map((l) => l.reward)).toEqual([0, 1]);
  });
});

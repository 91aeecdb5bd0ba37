import { describe, expect, it } from 'vitest';
import { seededRandom } from '@aset/determinism';
import { createPolicy } from '@aset/scheduling';
import { checkMessagingDelay, delaySampler, empiricalDelay, leastDelayMs, medianDelayMs, type MessagingTime } from './messaging.delay.js';
import { Simulation } from './simulation.js';
import { SummarySink } from './summary.sink.js';
import { scenarioFromYaml, syntheticZoo } from './testing.js';

describe('messaging delays', () => {
  it('keeps the quantiles of the samples, and samples them back by inverse transform', () => {
    const samples = Array.from({ length: 1001 }, (_, i) => i / 10); // 0 .. 100 ms, uniform
    const d = empiricalDelay(samples);
    expect(d.quantilesMs).toHaveLength(101);
    expect(d.quantilesMs[0]).toBe(0);
    expect(d.quantilesMs[50]).toBeCloseTo(50, 9);
    expect(d.quantilesMs[100]).toBe(100);
    expect(leastDelayMs(d)).toBe(0);
    expect(medianDelayMs(d)).toBeCloseTo(50, 9);
    const sample = delaySampler(d, seededRandom(1));
    const drawn = Array.from({ length: 20_000 }, sample).sort((a, b) => a - b);
    expect(drawn[Math.floor(drawn.length * 0.9)]).toBeGreaterThan(88);
    expect(drawn[Math.floor(drawn.length * 0.9)]).toBeLessThan(92);
    expect(drawn[0]).toBeGreaterThanOrEqual(0);
    expect(drawn[drawn.length - 1]).toBeLessThanOrEqual(100);
  });

  it('counts negative samples (clock noise between processes) as 0', () => {
    expect(empiricalDelay([-0.2, 1, 2], 3).quantilesMs).toEqual([0, 1, 2]);
  });

  it('draws nothing from the random source for a constant', () => {
    let draws = 0;
    const sample = delaySampler(2.5, () => {
      draws++;
      return 0.5;
    });
    expect([sample(), sample()]).toEqual([2.5, 2.5]);
    expect(draws).toBe(0);
  });

  it('refuses a malformed delay, naming the field and the element', () => {
    expect(() => checkMessagingDelay(-1, 'overheadMs.reply')).toThrow(/overheadMs\.reply must be a finite number of ms >= 0, got -1/);
    expect(() => checkMessagingDelay({ quantilesMs: [1] }, 'overheadMs.request')).toThrow(/overheadMs\.request\.quantilesMs must hold at least 2/);
    expect(() => checkMessagingDelay({ quantilesMs: [1, Number.NaN] }, 'x')).toThrow(/x\.quantilesMs\[1\] must be a finite number/);
    expect(() => checkMessagingDelay({ quantilesMs: [1, 3, 2] }, 'x')).toThrow(/x\.quantilesMs must not decrease: \[1\] = 3 > \[2\] = 2/);
    expect(() => empiricalDelay([])).toThrow(/no samples/);
    const zoo = syntheticZoo([{ id: 'fast', accuracy: 0.9, ms: 1 }]);
    expect(() => new Simulation({ scenario: tightScenario(zoo), zoo, seed: 1, queries: 1, policy: (ctx) => createPolicy('closest', ctx), sink: new SummarySink(1), overheadMs: { request: { quantilesMs: [2, 1] }, reply: 0 } })).toThrow(
      /overheadMs\.request\.quantilesMs must not decrease/,
    );
  });
});

function tightScenario(zoo: ReturnType<typeof syntheticZoo>) {
  return scenarioFromYaml(
    `
schemaVersion: 1
name: tight
hardwareClasses: { hw: { speedFactor: 1 } }
clusters: [{ id: c, tier: cloud, hardware: hw, slots: 64, variants: [fast] }]
sources: [{ id: s }]
links: [{ source: s, cluster: c, rttMs: 2, bandwidthMbps: 1000000, jitterMs: 0 }]
applications: [{ id: a, task: t, slo: { maxLatencyMs: 8, minAccuracy: 0.5 }, payloadBytes: 1, replyBytes: 1 }]
workload: { queries: 10, arrivals: [{ source: s, app: a, process: { kind: poisson, ratePerSec: 50 } }] }
`,
    zoo,
  );
}

describe('Simulation with messaging-time distributions', () => {
  const zoo = syntheticZoo([{ id: 'fast', accuracy: 0.9, ms: 1 }]);
  const scenario = tightScenario(zoo);
  const success = (overheadMs: MessagingTime, policy = 'closest') => {
    const summary = new SummarySink(20_000);
    new Simulation({ scenario, zoo, seed: 5, queries: 20_000, observation: 'exact', overheadMs, policy: (ctx) => createPolicy(policy, ctx), sink: summary }).run();
    return summary.summary().successRatio;
  };

  it('loses the queries whose messaging time falls in the tail, which the median hides', () => {
    // Network 2 ms + processing 1 ms + messaging, against an 8 ms SLO: the median (1 + 0.5 ms)
    // always fits; a tail beyond 5 ms in one tenth of the queries does not.
    const request = empiricalDelay([...Array.from({ length: 90 }, () => 1), ...Array.from({ length: 10 }, () => 12)]);
    const reply = 0.5;
    expect(success({ request: medianDelayMs(request), reply })).toBe(1);
    const tailed = success({ request, reply });
    expect(tailed).toBeGreaterThan(0.85);
    expect(tailed).toBeLessThan(0.95);
  });

  it('draws messaging time from a stream of its own: a distribution of one value replays the constant exactly', () => {
    const constant = new SummarySink(5_000);
    const degenerate = new SummarySink(5_000);
    const run = (overheadMs: MessagingTime, sink: SummarySink) =>
      new Simulation({ scenario, zoo, seed: 9, queries: 5_000, overheadMs, policy: (ctx) => createPolicy('random', ctx), sink }).run();
    run({ request: 2, reply: 1 }, constant);
    run({ request: { quantilesMs: [2, 2] }, reply: { quantilesMs: [1, 1, 1] } }, degenerate);
    expect(degenerate.summary()).toEqual(constant.summary());
  });
});

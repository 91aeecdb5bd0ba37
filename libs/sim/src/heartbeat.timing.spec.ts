import { describe, expect, it } from 'vitest';
import { repoPolicyContext } from '@aset/scheduling/testing';
import { heartbeatTiming } from './heartbeat.timing.js';

const { scenario } = repoPolicyContext('demo');
const [first, second, ...rest] = scenario.clusters.map((c) => c.id) as [string, string, ...string[]];

describe('heartbeatTiming', () => {
  const start = 1_700_000_000_000;
  const steady = (phase: number) => [-1, 0, 1, 2, 3].map((k) => start + phase + 500 * k);

  it('takes the median interval as the period and each phase from the beat nearest the run start', () => {
    // The first cluster beats 120 ms after each period boundary; the second's timer drifts 3 ms late per beat.
    const drifting = [-1070, -567, -64, 439, 942].map((t) => start + t);
    const beats = new Map([[first, steady(120)], [second, drifting], ...rest.map((id, i) => [id, steady(10 * i)] as const)]);
    const timing = heartbeatTiming(scenario, beats, start);
    expect(timing.heartbeatMs).toBe(500);
    expect(timing.phasesMs[0]).toBeCloseTo(120, 9);
    expect(timing.phasesMs[1]).toBeCloseTo(436, 9);
    expect(timing.phasesMs.slice(2)).toEqual(rest.map((_, i) => 10 * i));
  });

  it('names the clusters that did not beat twice', () => {
    const beats = new Map(scenario.clusters.map((c) => [c.id, steady(0)]));
    beats.set(second, [start]);
    beats.delete(rest[0] as string);
    expect(() => heartbeatTiming(scenario, beats, start)).toThrow(new RegExp(`no two heartbeats from ${second}, ${rest[0]} \\(beats per cluster: ${first} 5, ${second} 1, ${rest[0]} 0, `));
  });
});

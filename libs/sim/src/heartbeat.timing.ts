import type { Scenario } from '@aset/scenario';

/** How a live run's workers heartbeated, in the form {@link SimulationOptions.observation} takes. */
export interface HeartbeatTiming {
  /** The median interval between consecutive beats of a worker, ms. */
  heartbeatMs: number;
  /** Per cluster (scenario order): its beat times modulo the period, counted from the run start, ms in `[0, heartbeatMs)`. */
  phasesMs: number[];
}

/**
 * The heartbeat timing of a live run from the `sentAt` times (epoch ms) of the beats of each
 * cluster's worker, and the run start (epoch ms, the time the first arrival's offset counts from).
 * Needs at least two beats from every cluster of the scenario; throws naming those without.
 */
export function heartbeatTiming(scenario: Scenario, beatsByCluster: ReadonlyMap<string, readonly number[]>, runStartMs: number): HeartbeatTiming {
  const silent = scenario.clusters.filter((c) => (beatsByCluster.get(c.id)?.length ?? 0) < 2).map((c) => c.id);
  if (silent.length > 0) {
    const seen = scenario.clusters.map((c) => `${c.id} ${beatsByCluster.get(c.id)?.length ?? 0}`).join(', ');
    throw new Error(`heartbeat timing: no two heartbeats from ${silent.join(', ')} (beats per cluster: ${seen})`);
  }
  const intervals: number[] = [];
  for (const c of scenario.clusters) {
    const beats = [...(beatsByCluster.get(c.id) as readonly number[])].sort((a, b) => a - b);
    for (let i = 1; i < beats.length; i++) intervals.push((beats[i] as number) - (beats[i - 1] as number));
  }
  intervals.sort((a, b) => a - b);
  const heartbeatMs = intervals[Math.floor(intervals.length / 2)] as number;
  const phasesMs = scenario.clusters.map((c) => {
    // The beat nearest the run start fixes the phase: timers drift a little from beat to beat.
    let nearest = Infinity;
    for (const b of beatsByCluster.get(c.id) as readonly number[]) if (Math.abs(b - runStartMs) < Math.abs(nearest - runStartMs)) nearest = b;
    return (((nearest - runStartMs) % heartbeatMs) + heartbeatMs) % heartbeatMs;
  });
  return { heartbeatMs, phasesMs };
}

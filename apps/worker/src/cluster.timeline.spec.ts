import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { readScenarioFile } from '@aset/scenario';
import { REPO_SCENARIOS } from '@aset/scenario/testing';
import { ClusterTimeline } from './cluster.timeline.js';

const DAY_MS = 86_400_000;
/** demo-dynamics: near-edge-1 is dark from 28 s to 38 s of the run. */
const scenario = readScenarioFile(join(REPO_SCENARIOS, 'demo-dynamics.yaml'));

describe('ClusterTimeline', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('darkens the cluster at its outage window and brings it back at its end', () => {
    const timeline = new ClusterTimeline('near-edge-1', scenario);
    const now = 1_000_000;
    timeline.play({ runId: 'r', originAt: now }, now);
    vi.advanceTimersByTime(28_000 - 1);
    expect(timeline.dark).toBe(false);
    vi.advanceTimersByTime(1);
    expect(timeline.dark).toBe(true);
    vi.advanceTimersByTime(10_000);
    expect(timeline.dark).toBe(false);
    expect(timeline.outages).toBe(1);
  });

  it('keeps a run whose origin lies beyond the longest timer (about 24.8 days) ahead in the future, not 1 ms away', () => {
    const timeline = new ClusterTimeline('near-edge-1', scenario);
    const now = 1_000_000;
    timeline.play({ runId: 'far', originAt: now + 30 * DAY_MS }, now);
    vi.advanceTimersByTime(1_000);
    expect(timeline.dark).toBe(false);
    expect(timeline.outages).toBe(0);
    vi.advanceTimersByTime(30 * DAY_MS + 28_000 - 1_000);
    expect(timeline.dark).toBe(true);
    vi.advanceTimersByTime(10_000);
    expect(timeline.dark).toBe(false);
    timeline.stop();
  });
});

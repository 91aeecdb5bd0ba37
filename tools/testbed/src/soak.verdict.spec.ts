import { describe, expect, it } from 'vitest';
import { judgeSoak, type RssSample } from './soak.verdict.js';

const MB = 2 ** 20;

/** One sample every 10 s for 10 minutes, `mb(t)` MB at second t. */
function samples(service: string, mb: (t: number) => number): RssSample[] {
  return Array.from({ length: 61 }, (_, i) => ({ service, atSec: i * 10, bytes: mb(i * 10) * MB }));
}

describe('judgeSoak', () => {
  it('passes a service whose memory saw-tooths after warm-up: the windows span whole cycles', () => {
    // Grows during warm-up, then a 160 s sawtooth between 80 and 100 MB: a one-minute window would
    // see 80-87.5 MB at one end and 92.5-100 MB at the other.
    const v = judgeSoak({ samples: samples('scheduler', (t) => (t < 120 ? 50 + t / 4 : 80 + ((t - 120) % 160) / 8)), warmupSec: 120, endSec: 600, lost: 0, backlogAfter: 0 });
    expect(v.failures).toEqual([]);
    expect(v.pass).toBe(true);
    expect(v.rss).toHaveLength(1);
    expect(Math.abs(v.rss[0]!.growth)).toBeLessThan(0.03);
  });

  it('fails a service that keeps growing, naming it and the figures', () => {
    const v = judgeSoak({ samples: [...samples('worker-a', () => 100), ...samples('metrics-store', (t) => 100 + t / 20)], warmupSec: 120, endSec: 600, lost: 0, backlogAfter: 0 });
    expect(v.pass).toBe(false);
    // Means: 109.75 MB over 120-270 s (16 samples), 126 MB over 440-600 s (17 samples).
    expect(v.failures).toEqual(['metrics-store: resident memory grew 14.8% (109.8 -> 126 MB), the limit is 10%']);
  });

  it('reports an infrastructure server without holding it to the rule', () => {
    const v = judgeSoak({ samples: [...samples('scheduler', () => 100), ...samples('nats-hub', (t) => 20 + t / 20)], warmupSec: 120, endSec: 600, lost: 0, backlogAfter: 0, infrastructure: new Set(['nats-hub']) });
    expect(v.pass).toBe(true);
    expect(v.rss.map((r) => r.service)).toEqual(['scheduler']);
    expect(v.infrastructure.map((r) => [r.service, r.growth > 0.1])).toEqual([['nats-hub', true]]);
  });

  it('fails on a lost record, a backlog left, or a service with no samples after warm-up', () => {
    const v = judgeSoak({ samples: [...samples('a', () => 10), { service: 'b', atSec: 0, bytes: MB }], warmupSec: 120, endSec: 600, lost: 2, backlogAfter: 5 });
    expect(v.failures).toEqual(['b: no memory samples after warm-up', '2 queries have no record', "the metrics store's consumer still has 5 records pending"]);
  });
});

import { describe, expect, it } from 'vitest';
import { queueRefuses } from './queue.bound.js';

describe('queueRefuses', () => {
  it('refuses only with every slot busy and maxQueue queries waiting', () => {
    const cluster = { slots: 2, maxQueue: 3 };
    expect(queueRefuses(cluster, 1, 0)).toBe(false);
    expect(queueRefuses(cluster, 2, 2)).toBe(false);
    expect(queueRefuses(cluster, 2, 3)).toBe(true);
    // A free slot takes the query whatever the queue says (the pool never queues with a slot free).
    expect(queueRefuses(cluster, 1, 3)).toBe(false);
  });

  it('with maxQueue 0, refuses whenever every slot is busy; without maxQueue, never', () => {
    expect(queueRefuses({ slots: 1, maxQueue: 0 }, 1, 0)).toBe(true);
    expect(queueRefuses({ slots: 1, maxQueue: 0 }, 0, 0)).toBe(false);
    expect(queueRefuses({ slots: 1 }, 1, 1_000_000)).toBe(false);
  });
});

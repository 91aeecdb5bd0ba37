import { describe, expect, it } from 'vitest';
import { SlotPool } from './slot.pool.js';

describe('SlotPool', () => {
  it('bounds concurrency and serves waiters first-in first-out', async () => {
    const pool = new SlotPool(2);
    const order: number[] = [];
    await pool.acquire();
    await pool.acquire();
    expect(pool.busy).toBe(2);
    const third = pool.acquire().then(() => order.push(3));
    const fourth = pool.acquire().then(() => order.push(4));
    expect(pool.waiting).toBe(2);
    pool.release();
    await third;
    expect(order).toEqual([3]);
    pool.release();
    await fourth;
    expect(order).toEqual([3, 4]);
    expect(pool.busy).toBe(2);
    pool.release();
    pool.release();
    expect(pool.busy).toBe(0);
    expect(() => pool.release()).toThrow(/without a matching acquire/);
  });

  it('hands the releasing holder\'s freedAt to the next waiter, and nothing when a slot was free', async () => {
    const pool = new SlotPool(1);
    expect(await pool.acquire()).toBeUndefined();
    const next = pool.acquire();
    pool.release(1234.5);
    expect(await next).toBe(1234.5);
    pool.release(2000);
    expect(await pool.acquire()).toBeUndefined();
  });

  it('refuses a non-positive slot count', () => {
    expect(() => new SlotPool(0)).toThrow(RangeError);
  });
});

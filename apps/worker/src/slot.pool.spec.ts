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

  it('hands the releasing holder\'s freedAt to the next waiter, and to a later holder of the free slot', async () => {
    const pool = new SlotPool(1);
    expect(await pool.acquire()).toBeUndefined();
    const next = pool.acquire();
    pool.release(1234.5);
    expect(await next).toBe(1234.5);
    pool.release(2000);
    // Found free, but freed at 2000: an emulated start may not come before it.
    expect(await pool.acquire()).toBe(2000);
  });

  it('gives out the free slot freed first (never-used slots before all)', async () => {
    const pool = new SlotPool(3);
    await Promise.all([pool.acquire(), pool.acquire(), pool.acquire()]);
    pool.release(30);
    pool.release(10);
    pool.release(20);
    expect([await pool.acquire(), await pool.acquire(), await pool.acquire()]).toEqual([10, 20, 30]);
    const fresh = new SlotPool(2);
    await fresh.acquire();
    fresh.release(5);
    expect(await fresh.acquire()).toBeUndefined();
    expect(await fresh.acquire()).toBe(5);
  });

  it('refuses a non-positive slot count', () => {
    expect(() => new SlotPool(0)).toThrow(RangeError);
  });
});

import { describe, expect, it } from 'vitest';
import { stopStack } from './cleanup.hooks.js';

describe('stopStack', () => {
  it('stops newest first, skips what was forgotten, goes on past a failing stop, and empties', async () => {
    const order: string[] = [];
    const errors: unknown[] = [];
    const stack = stopStack((e) => errors.push(e));
    const forgotten = async () => {
      order.push('forgotten');
    };
    stack.push(async () => {
      order.push('first');
    });
    stack.push(async () => {
      throw new Error('second failed');
    });
    stack.push(forgotten);
    stack.push(async () => {
      order.push('third');
    });
    stack.forget(forgotten);
    await stack.stopAll();
    expect(order).toEqual(['third', 'first']);
    expect(errors.map((e) => (e as Error).message)).toEqual(['second failed']);
    await stack.stopAll();
    expect(order).toEqual(['third', 'first']);
  });
});

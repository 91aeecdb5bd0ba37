import { describe, expect, it } from 'vitest';
import { freePort } from './free.port.js';

describe('freePort', () => {
  it('never hands out the same port twice in a process (services bind theirs only later)', async () => {
    const ports: number[] = [];
    for (let i = 0; i < 300; i++) ports.push(await freePort());
    expect(new Set(ports).size).toBe(ports.length);
  });
});

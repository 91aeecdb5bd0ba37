import { describe, expect, it } from 'vitest';
import { ManualClock } from '@aset/determinism/testing';
import { paceQueries } from './query.pacer.js';

describe('paceQueries', () => {
  it('sends every arrival in order at its due time on the clock, never early', async () => {
    const clock = new ManualClock(1000);
    const schedule = { count: 3, offsetMs: Float64Array.from([0, 5, 5.5]), stream: Uint16Array.from([1, 0, 1]) };
    const sent: { i: number; stream: number; due: number; at: number }[] = [];
    const done = paceQueries(schedule, clock, 1010, (i, stream, due) => sent.push({ i, stream, due, at: clock.now() }));
    const settle = () => new Promise((r) => setImmediate(r));
    for (let t = 0; t < 20; t++) {
      await settle();
      clock.advance(1);
    }
    await done;
    expect(sent).toEqual([
      { i: 0, stream: 1, due: 1010, at: 1010 },
      { i: 1, stream: 0, due: 1015, at: 1015 },
      { i: 2, stream: 1, due: 1015.5, at: 1016 },
    ]);
  });

  it('sends only the arrivals of the streams it emits, keeping their indices and due times', async () => {
    const clock = new ManualClock(1000);
    const schedule = { count: 4, offsetMs: Float64Array.from([0, 5, 5.5, 9]), stream: Uint16Array.from([1, 0, 1, 0]) };
    const sent: { i: number; stream: number; due: number; at: number }[] = [];
    const done = paceQueries(schedule, clock, 1010, (i, stream, due) => sent.push({ i, stream, due, at: clock.now() }), (stream) => stream === 0);
    for (let t = 0; t < 30; t++) {
      await new Promise((r) => setImmediate(r));
      clock.advance(1);
    }
    await done;
    expect(sent).toEqual([
      { i: 1, stream: 0, due: 1015, at: 1015 },
      { i: 3, stream: 0, due: 1019, at: 1019 },
    ]);
  });

  it('waits in whole milliseconds, rounded up: a fraction left is one timer of 1 ms, not polled', async () => {
    const clock = new ManualClock(1000);
    const waits: number[] = [];
    const sleep = clock.sleep.bind(clock);
    clock.sleep = (ms: number) => {
      waits.push(ms);
      return sleep(ms);
    };
    const schedule = { count: 3, offsetMs: Float64Array.from([0.3, 0.6, 2.2]), stream: Uint16Array.from([0, 0, 0]) };
    const sent: { i: number; at: number }[] = [];
    const done = paceQueries(schedule, clock, 1000, (i) => sent.push({ i, at: clock.now() }));
    for (let t = 0; t < 5; t++) {
      await new Promise((r) => setImmediate(r));
      clock.advance(1);
    }
    await done;
    expect(waits).toEqual([1, 2]);
    expect(sent).toEqual([
      { i: 0, at: 1001 },
      { i: 1, at: 1001 },
      { i: 2, at: 1003 },
    ]);
  });
});

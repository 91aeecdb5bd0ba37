import { describe, expect, it } from 'vitest';
import type { QueryRecord } from '@aset/contracts';
import { sampleQueryRecord } from '@aset/contracts/testing';
import { ManualClock } from '@aset/determinism/testing';
import type { MessageBus } from '@aset/messaging';
import { PUBLISH_BUDGET_MS, RecordPublisher } from './record.publisher.js';

/** Lets every promise callback that is ready run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * A JetStream stand-in: stores each message id once (deduplication), and answers each publish as
 * `answer` says, when the test says (`ackAll`), or at once.
 */
function fakeStream(answer: (msgId: string, attempt: number) => 'store' | 'refuse' | 'lose-ack' | 'hold' = () => 'store') {
  const stored = new Map<string, QueryRecord>();
  const attempts = new Map<string, number>();
  /** Each flush: the message ids published in one synchronous run. */
  const writes: string[][] = [];
  let current: string[] | undefined;
  const held: (() => void)[] = [];
  const bus = {
    publishDurable: (_key: string, _params: unknown, record: QueryRecord, msgId: string): Promise<void> => {
      if (!current) {
        current = [];
        writes.push(current);
        queueMicrotask(() => (current = undefined));
      }
      current.push(msgId);
      const attempt = (attempts.get(msgId) ?? 0) + 1;
      attempts.set(msgId, attempt);
      const how = answer(msgId, attempt);
      if (how === 'refuse') return Promise.reject(new Error('JetStream publish not stored: timeout'));
      if (!stored.has(msgId)) stored.set(msgId, record);
      if (how === 'lose-ack') return Promise.reject(new Error('no ack within 5000 ms'));
      if (how === 'hold') return new Promise((resolve) => held.push(resolve));
      return Promise.resolve();
    },
  };
  return { bus: bus as unknown as MessageBus, stored, attempts, writes, held };
}

const record = (i: number) => sampleQueryRecord({ runId: 'r', queryId: `q${String(i).padStart(7, '0')}` });

describe('RecordPublisher', () => {
  it('publishes the query records queued within the linger together, at most maxUnacked without their ack', async () => {
    const clock = new ManualClock(1_000);
    const stream = fakeStream((_id, _a) => 'hold');
    const publisher = new RecordPublisher(stream.bus, clock, 'r', undefined, { lingerMs: 5, maxUnacked: 4 });
    for (let i = 0; i < 6; i++) publisher.queueQuery(record(i));
    expect(stream.writes).toEqual([]);
    clock.advance(5);
    await settle();
    expect(stream.writes).toEqual([['r.q0000000', 'r.q0000001', 'r.q0000002', 'r.q0000003']]);
    let settled: number | undefined;
    void publisher.settled().then((lost) => (settled = lost));
    // Two acks free two places: the two records waiting go out together, after the linger.
    stream.held.shift()?.();
    stream.held.shift()?.();
    await settle();
    clock.advance(5);
    await settle();
    expect(stream.writes[1]).toEqual(['r.q0000004', 'r.q0000005']);
    expect(settled).toBeUndefined();
    for (const ack of stream.held.splice(0)) ack();
    await settle();
    expect(settled).toBe(0);
    expect(stream.stored.size).toBe(6);
  });

  it('loses nothing when the server refuses or its acks are lost: each record is retried with its message id until stored once', async () => {
    const clock = new ManualClock(1_000);
    // Every third record: refused twice; every fifth: stored but its first ack lost.
    const stream = fakeStream((id, attempt) => {
      const i = Number(id.slice(3));
      if (i % 3 === 0 && attempt <= 2) return 'refuse';
      if (i % 5 === 0 && attempt === 1) return 'lose-ack';
      return 'store';
    });
    const publisher = new RecordPublisher(stream.bus, clock, 'r', undefined, { lingerMs: 5, maxUnacked: 8 });
    for (let i = 0; i < 30; i++) publisher.queueQuery(record(i));
    let lost: number | undefined;
    void publisher.settled().then((n) => (lost = n));
    for (let t = 0; t < 2_000 && lost === undefined; t += 5) {
      clock.advance(5);
      await settle();
    }
    expect(lost).toBe(0);
    expect([...stream.stored.keys()].sort()).toEqual(Array.from({ length: 30 }, (_, i) => record(i)).map((r) => `r.${r.queryId}`));
    expect(stream.attempts.get('r.q0000003')).toBe(3);
    expect(stream.attempts.get('r.q0000005')).toBe(2);
    expect(stream.attempts.get('r.q0000001')).toBe(1);
  });

  it('gives a record up once retrying would pass the budget from its first publish, and counts it lost', async () => {
    const clock = new ManualClock(1_000);
    const stream = fakeStream((id) => (id === 'r.q0000001' ? 'refuse' : 'store'));
    const publisher = new RecordPublisher(stream.bus, clock, 'r', undefined, { lingerMs: 5, maxUnacked: 8 });
    for (let i = 0; i < 3; i++) publisher.queueQuery(record(i));
    let lost: number | undefined;
    void publisher.settled().then((n) => (lost = n));
    for (let t = 0; t <= PUBLISH_BUDGET_MS + 5_000 && lost === undefined; t += 100) {
      clock.advance(100);
      await settle();
    }
    expect(lost).toBe(1);
    expect(stream.stored.size).toBe(2);
    // 200, 400, ... 2000 ms apart: about budget / 2 s attempts.
    expect(stream.attempts.get('r.q0000001')).toBeGreaterThan(PUBLISH_BUDGET_MS / 2_000);
    expect(clock.now() - 1_000).toBeLessThanOrEqual(PUBLISH_BUDGET_MS + 100);
  });
});

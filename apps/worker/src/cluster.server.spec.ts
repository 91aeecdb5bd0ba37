import { describe, expect, it } from 'vitest';
import { SystemClock } from '@aset/determinism';
import type { InferenceResult, OnnxModelRunner } from '@aset/inference';
import type { ClusterSpec } from '@aset/scenario';
import type { ClusterEmulator } from './cluster.emulator.js';
import { ClusterServer, REFUSED, type ServedOutcome } from './cluster.server.js';

/** A run the fake runner was asked for: its first input value (the query's tag), settled by the test. */
interface Call {
  tag: number;
  batch: number;
  finish(): void;
  fail(message: string): void;
}

/** A runner whose runs end when the test says; each predicts its input's first value. */
function fakeRunner(offThread: boolean): { runner: OnnxModelRunner; calls: Call[] } {
  const calls: Call[] = [];
  const runner = {
    variant: { id: 'v', task: 't' },
    sampleSize: 2,
    offThread,
    run: (input: Float32Array, batch: number) =>
      new Promise<InferenceResult>((resolve, reject) => {
        const predictions = Int32Array.from({ length: batch }, (_, i) => input[i * 2] as number);
        calls.push({
          tag: input[0] as number,
          batch,
          finish: () => resolve({ predictions, scores: new Float32Array(batch), classes: 1, runMs: offThread ? 0.5 : undefined }),
          fail: (message) => reject(new Error(message)),
        });
      }),
  };
  return { runner: runner as unknown as OnnxModelRunner, calls };
}

/** Emulation off: processing is the host's own. */
const emulator = {
  processingStart: (_arrivedAt: number, _freedAt: number | undefined, hostStart: number) => hostStart,
  targetProcessingMs: (_v: unknown, measuredMs: number) => measuredMs,
  waitPreciselyUntil: async () => {},
} as unknown as ClusterEmulator;

function server(offThread: boolean, cluster: Partial<ClusterSpec> = {}) {
  const { runner, calls } = fakeRunner(offThread);
  const spec = { id: 'c', tier: 'cloud', hardware: 'h', slots: 1, variants: ['v'], ...cluster } as ClusterSpec;
  return { s: new ClusterServer(spec, new Map([['v', runner]]), emulator, new SystemClock()), calls };
}

const input = (tag: number) => Float32Array.of(tag, 0);
const settled = () => new Promise((r) => setImmediate(r));
const submit = (s: ClusterServer, tag: number) => {
  const p = s.submit(0, input(tag), Date.now());
  if (p === REFUSED) throw new Error('refused');
  return p;
};
const predictionOf = (o: ServedOutcome) => (o.kind === 'completed' ? o.prediction : o.kind);

describe('ClusterServer runs ahead on inference threads', () => {
  it('posts the oldest waiting query while the one slot is busy, and answers each query with its own run, in order', async () => {
    const { s, calls } = server(true);
    const outcomes = [1, 2, 3].map((t) => submit(s, t));
    await settled();
    // 1 runs, 2 is ahead; 3 waits for a place ahead.
    expect(calls.map((c) => c.tag)).toEqual([1, 2]);
    expect(s.queue.busy).toBe(1);
    expect(s.queue.waiting).toBe(2);
    calls[0]!.finish();
    await settled();
    // 2 started (taken from the queue) with its run already posted; 3 is now ahead.
    expect(calls.map((c) => c.tag)).toEqual([1, 2, 3]);
    expect(s.queue.waiting).toBe(1);
    calls[2]!.finish(); // 3's run ends first: nothing is answered before its take.
    await settled();
    expect(s.queue.waiting).toBe(1);
    calls[1]!.finish();
    expect((await Promise.all(outcomes)).map(predictionOf)).toEqual([1, 2, 3]);
    expect(s.queue.busy).toBe(0);
    expect(calls).toHaveLength(3);
  });

  it('puts up to one query per slot ahead', async () => {
    const { s, calls } = server(true, { slots: 2 });
    const outcomes = [1, 2, 3, 4, 5].map((t) => submit(s, t));
    await settled();
    expect(calls.map((c) => c.tag)).toEqual([1, 2, 3, 4]);
    for (const c of calls.slice()) c.finish();
    await settled();
    calls[4]!.finish();
    expect((await Promise.all(outcomes)).map(predictionOf)).toEqual([1, 2, 3, 4, 5]);
  });

  it('loses a query whose run was ahead when the cluster goes dark, discards that run, and serves later queries with their own runs', async () => {
    const { s, calls } = server(true);
    const first = submit(s, 1);
    const lost = submit(s, 2);
    await settled();
    expect(calls.map((c) => c.tag)).toEqual([1, 2]);
    s.loseWaiting();
    expect(await lost).toEqual({ kind: 'lost' });
    const later = submit(s, 3);
    await settled();
    calls[1]!.finish(); // the discarded run of 2
    calls[0]!.finish();
    expect(predictionOf(await first)).toBe(1);
    await settled();
    expect(calls.map((c) => c.tag)).toEqual([1, 2, 3]);
    calls[2]!.finish();
    expect(predictionOf(await later)).toBe(3);
  });

  it('fails a query whose run ahead failed, once it starts', async () => {
    const { s, calls } = server(true);
    const first = submit(s, 1);
    const second = submit(s, 2);
    await settled();
    calls[1]!.fail('boom');
    await settled();
    expect(s.queue.waiting).toBe(1);
    calls[0]!.finish();
    expect(predictionOf(await first)).toBe(1);
    const outcome = await second;
    expect(outcome.kind).toBe('failed');
    expect(outcome.kind === 'failed' && outcome.message).toMatch(/variant v failed on a batch of 1: boom/);
  });

  it('runs nothing ahead on the event loop, nor when a variant batches', async () => {
    for (const { s, calls } of [server(false), server(true, { batching: { v: { maxBatchSize: 2, maxQueueDelayMs: 0 } } })]) {
      const outcomes = [1, 2, 3, 4].map((t) => submit(s, t));
      await settled();
      expect(calls).toHaveLength(1);
      while (calls.some((c) => !('done' in c))) {
        for (const c of calls) {
          if (!('done' in c)) {
            Object.assign(c, { done: true });
            c.finish();
          }
        }
        await settled();
        await settled();
      }
      expect((await Promise.all(outcomes)).map(predictionOf)).toEqual([1, 2, 3, 4]);
    }
  });
});

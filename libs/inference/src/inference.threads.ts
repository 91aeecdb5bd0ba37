import { Worker } from 'node:worker_threads';
import type { SessionSignature, ThreadReply, ThreadRequest, ThreadSessionOptions } from './inference-thread.protocol.js';

/** Upper bound of `InferenceThreads.start`'s size. */
export const MAX_INFERENCE_THREADS = 64;

/**
 * The thread script: the compiled `inference.thread.js` beside this module. Under the TypeScript
 * sources (the specs), that is the lib's build output, so `npm run build` must have run.
 */
function threadScript(): URL {
  const here = import.meta.url;
  return here.endsWith('.ts') ? new URL('../dist/inference.thread.js', here) : new URL('./inference.thread.js', here);
}

type Settle = (reply: ThreadReply) => void;

/** One thread: its in-flight requests, the promise of its sessions being (re)loaded, and whether it is usable. */
interface ThreadSlot {
  worker: Worker;
  readonly pending: Map<number, Settle>;
  ready: Promise<void>;
  inFlight: number;
  /** When the thread's oldest run in flight was posted or, once the run before it replied, started (performance.now ms). */
  busySince: number;
}

/**
 * A pool of worker threads that run onnxruntime sessions off the service's event loop.
 * onnxruntime-node runs a session synchronously on the thread that calls it (its `run` is a
 * `setImmediate` around the native call), so a service that runs inference on its own event loop
 * can neither receive nor reply while a batch runs, and its batches never overlap. With the pool,
 * messaging overlaps with inference, and up to `size` batches run at once.
 *
 * Every thread holds a session of every loaded model. A run goes to the thread with the fewest runs
 * in flight, of those the one busy the longest (likely the first to be free), and starts there as
 * soon as the thread's earlier runs are done: a caller may post a run ahead, while every thread is
 * busy, so that a thread never waits for the caller between runs. A thread that dies (an uncaught error, or an exit the pool did not ask for) fails the
 * runs it held, each with an error naming the thread and the cause, and is replaced by a new thread
 * that loads the same models; runs sent meanwhile wait for it. `close` must be called for the
 * process to exit.
 */
export class InferenceThreads {
  private readonly threads: ThreadSlot[] = [];
  private readonly models = new Map<string, { model: Uint8Array; options: ThreadSessionOptions }>();
  private nextId = 1;
  private closed = false;

  private constructor(readonly size: number) {
    for (let i = 0; i < size; i++) this.threads.push(this.spawn(i));
  }

  /** Starts `size` threads (1 to MAX_INFERENCE_THREADS). */
  static start(size: number): InferenceThreads {
    if (!Number.isInteger(size) || size < 1 || size > MAX_INFERENCE_THREADS) {
      throw new RangeError(`inference threads: expected an integer 1-${MAX_INFERENCE_THREADS}, got ${size}`);
    }
    return new InferenceThreads(size);
  }

  /**
   * Loads `model` as `key` in every thread (replacing an earlier model of that key) and resolves to
   * its signature; rejects with onnxruntime's message when a thread cannot load it.
   */
  async load(key: string, model: Uint8Array, options: ThreadSessionOptions): Promise<SessionSignature> {
    this.models.set(key, { model, options });
    const signatures = await Promise.all(this.threads.map((t) => t.ready.then(() => this.send(t, (id) => ({ kind: 'load', id, key, model, options })))));
    return signatures[0]?.signature as SessionSignature;
  }

  /**
   * Runs model `key` on `input` shaped `dims`; resolves to the first output's scores and how long
   * the run took in its thread (ms).
   */
  async run(key: string, input: Float32Array, dims: readonly number[]): Promise<{ scores: Float32Array; runMs: number }> {
    if (this.closed) throw new Error('inference threads are closed');
    let thread = this.threads[0] as ThreadSlot;
    for (const t of this.threads) {
      if (t.inFlight < thread.inFlight || (t.inFlight === thread.inFlight && t.busySince < thread.busySince)) thread = t;
    }
    if (thread.inFlight++ === 0) thread.busySince = performance.now();
    try {
      await thread.ready;
      // A view of a larger buffer (e.g. a decoded message) would be posted whole: post exactly the input.
      const exact = input.byteOffset === 0 && input.byteLength === input.buffer.byteLength ? input : input.slice();
      const reply = await this.send(thread, (id) => ({ kind: 'run', id, key, input: exact, dims }));
      return { scores: reply.scores as Float32Array, runMs: reply.runMs ?? NaN };
    } finally {
      // The thread's next run, if any, started when this one replied.
      if (--thread.inFlight > 0) thread.busySince = performance.now();
    }
  }

  /** Releases model `key` in every thread. */
  async release(key: string): Promise<void> {
    if (this.closed || !this.models.delete(key)) return;
    await Promise.all(this.threads.map((t) => t.ready.then(() => this.send(t, (id) => ({ kind: 'release', id, key })))));
  }

  /** Stops every thread; runs still in flight fail. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
  }

  private send(thread: ThreadSlot, request: (id: number) => ThreadRequest): Promise<ThreadReply & { ok: true }> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      thread.pending.set(id, (reply) => (reply.ok ? resolve(reply) : reject(new Error(reply.message))));
      thread.worker.postMessage(request(id));
    });
  }

  private spawn(index: number, replacing?: ThreadSlot): ThreadSlot {
    const worker = new Worker(threadScript());
    const slot: ThreadSlot = replacing ?? { worker, pending: new Map(), ready: Promise.resolve(), inFlight: 0, busySince: 0 };
    slot.worker = worker;
    worker.on('message', (reply: ThreadReply) => {
      const settle = slot.pending.get(reply.id);
      slot.pending.delete(reply.id);
      settle?.(reply);
    });
    const died = (cause: string) => {
      if (slot.worker !== worker) return;
      for (const [id, settle] of slot.pending) settle({ id, ok: false, message: `inference thread ${index} stopped (${cause})` });
      slot.pending.clear();
      if (this.closed) return;
      this.spawn(index, slot);
      // The replacement loads every model before it takes a run; a model it cannot load fails the runs sent to it.
      slot.ready = Promise.all(
        [...this.models].map(([key, { model, options }]) => this.send(slot, (id) => ({ kind: 'load', id, key, model, options }))),
      ).then(() => undefined);
      slot.ready.catch(() => {});
    };
    worker.on('error', (e) => died(e.message));
    worker.on('exit', (code) => died(`exit code ${code}`));
    return slot;
  }
}

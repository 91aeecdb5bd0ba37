import type { Clock } from '@aset/determinism';
import type { InferenceResult, OnnxModelRunner } from '@aset/inference';
import { ClusterQueue, batchingRules, type ClusterSpec } from '@aset/scenario';
import type { ClusterEmulator } from './cluster.emulator.js';

/** How a query offered to {@link ClusterServer.submit} ended there. */
export type ServedOutcome =
  | { readonly kind: 'completed'; readonly prediction: number; readonly startedAt: number; readonly finishedAt: number; readonly batchSize: number }
  | { readonly kind: 'failed'; readonly message: string; readonly finishedAt: number }
  /** It was waiting when the cluster went dark ({@link ClusterServer.loseWaiting}): never run. */
  | { readonly kind: 'lost' };

/** {@link ClusterServer.submit}'s answer for a query the cluster's bounded queue refused. */
export const REFUSED = Symbol('refused');

interface Waiting {
  input: Float32Array;
  variant: number;
  resolve: (outcome: ServedOutcome) => void;
}

/**
 * Runs one hosted cluster's queries by the cluster's rule (`ClusterQueue` of `@aset/scenario`, the
 * simulator's too): its slots, its bounded queue and each variant's dynamic batching. A ready batch
 * of n runs as one onnxruntime call on an [n, ...inputShape] tensor; with hardware emulation it
 * lasts the variant's profiled batch-n time times the speed factor, counted from when the batch was
 * ready and its slot free. A batch that waits for its delay is started at its time, to a fraction
 * of a millisecond (`ClusterEmulator.waitPreciselyUntil`).
 *
 * Runs ahead: when no variant batches (the queue is one FIFO, so the queries start in the order they
 * were offered) and every variant runs on inference threads, then while every slot is busy the
 * oldest waiting queries, up to one per slot, are posted to the threads ahead of their start, where
 * each runs as soon as a thread is free instead of waiting for this event loop to take it. The queue
 * still decides: a query starts (and its slot is held) when `take` returns it, and only then is its
 * result used; a query lost while its run was ahead has that result discarded. A run ahead's
 * measured processing time is the part of its run after its take.
 */
export class ClusterServer {
  readonly queue: ClusterQueue;
  /** Called once per batch run, with its variant and size; set by WorkerMetrics. */
  onBatch?: (variantId: string, size: number) => void;
  private readonly runners: OnnxModelRunner[];
  private readonly waiting: (Waiting | undefined)[] = [];
  private readonly freeRefs: number[] = [];
  private readonly batch: Int32Array;
  /** When the armed wake-up fires (clock ms), Infinity when none is armed. */
  private wakeAt = Infinity;
  /** Whether queries run ahead (see the class comment). */
  private readonly runsAhead: boolean;
  /** With {@link runsAhead}: the waiting refs in the order offered (the queue's FIFO order), from {@link orderHead}. */
  private readonly order: number[] = [];
  private orderHead = 0;
  /** Runs posted ahead, by ref: always the first of {@link order}. */
  private readonly ahead = new Map<number, Promise<InferenceResult>>();

  constructor(
    readonly cluster: ClusterSpec,
    /** The sessions of the variants the cluster hosts, by variant id. */
    runners: ReadonlyMap<string, OnnxModelRunner>,
    private readonly emulator: ClusterEmulator,
    private readonly clock: Clock,
  ) {
    this.queue = new ClusterQueue(cluster, batchingRules(cluster));
    this.runners = cluster.variants.map((id) => {
      const runner = runners.get(id);
      if (!runner) throw new Error(`cluster ${cluster.id}: no session of its variant ${id}`);
      return runner;
    });
    this.batch = new Int32Array(this.queue.largestBatch);
    this.runsAhead = !this.queue.batches && this.runners.every((r) => r.offThread);
  }

  /**
   * Offers a query of the cluster's `variantIndex`-th variant (its `variants` order), arriving at
   * `arrivedAt` (clock ms, the emulated arrival; a little after now when the host's timer woke the
   * caller early, and then its batch is not ready before it). Returns {@link REFUSED} at once when
   * the bounded queue refuses it; else resolves when its batch has run, or it was lost. Never rejects.
   */
  submit(variantIndex: number, input: Float32Array, arrivedAt: number): Promise<ServedOutcome> | typeof REFUSED {
    const ref = this.freeRefs.pop() ?? this.waiting.length;
    if (!this.queue.offer(ref, variantIndex, arrivedAt)) {
      if (ref < this.waiting.length) this.freeRefs.push(ref);
      return REFUSED;
    }
    const done = new Promise<ServedOutcome>((resolve) => {
      this.waiting[ref] = { input, variant: variantIndex, resolve };
    });
    if (this.runsAhead) this.order.push(ref);
    this.pump();
    return done;
  }

  /** The cluster went dark: every query still waiting is lost (resolved `lost`); batches running finish. */
  loseWaiting(): void {
    this.queue.clear((ref) => this.settle(ref, { kind: 'lost' }));
    this.order.length = 0;
    this.orderHead = 0;
    this.ahead.clear();
  }

  /** Starts every batch that is ready, and arms a wake-up for the next one that waits its delay. */
  private pump(): void {
    const now = this.clock.now();
    for (let n = this.queue.take(now, this.batch); n > 0; n = this.queue.take(now, this.batch)) {
      if (this.runsAhead) this.taken(this.batch[0] as number);
      void this.run(this.queue.batchVariant, Array.from(this.batch.subarray(0, n)), this.queue.batchReadyAt);
    }
    if (this.runsAhead) this.runAhead();
    const next = this.queue.nextReadyAt();
    if (next < this.wakeAt) this.arm(next);
  }

  /** `ref` (unbatched) started: it leaves the head of {@link order}. */
  private taken(ref: number): void {
    if (this.order[this.orderHead] !== ref) throw new Error(`cluster ${this.cluster.id}: the queue started query ref ${ref}, not the oldest offered (${this.order[this.orderHead]})`);
    this.orderHead++;
    if (this.orderHead === this.order.length) {
      this.order.length = 0;
      this.orderHead = 0;
    } else if (this.orderHead >= 1024) {
      this.order.splice(0, this.orderHead);
      this.orderHead = 0;
    }
  }

  /** While every slot is busy, posts the oldest waiting queries not yet ahead, up to one per slot. */
  private runAhead(): void {
    const slots = this.cluster.slots;
    if (this.queue.busy < slots) return;
    for (let i = this.orderHead + this.ahead.size; this.ahead.size < slots && i < this.order.length; i++) {
      const ref = this.order[i] as number;
      const w = this.waiting[ref] as Waiting;
      const runner = this.runners[w.variant] as OnnxModelRunner;
      const result = runner.run(w.input, 1);
      result.catch(() => {});
      this.ahead.set(ref, result);
    }
  }

  /** Pumps at `at`, to a fraction of a millisecond, unless an earlier wake-up was armed since. */
  private arm(at: number): void {
    this.wakeAt = at;
    void this.emulator.waitPreciselyUntil(at).then(() => {
      if (this.wakeAt !== at) return;
      this.wakeAt = Infinity;
      this.pump();
    });
  }

  private async run(variantIndex: number, refs: number[], readyAt: number): Promise<void> {
    const runner = this.runners[variantIndex] as OnnxModelRunner;
    const n = refs.length;
    this.onBatch?.(runner.variant.id, n);
    const hostStart = this.clock.now();
    const emulatedStart = this.emulator.processingStart(readyAt, undefined, hostStart);
    let outcome: (i: number) => ServedOutcome;
    let freedAt: number;
    const ahead = n === 1 ? this.ahead.get(refs[0] as number) : undefined;
    if (ahead) this.ahead.delete(refs[0] as number);
    try {
      const input = n === 1 ? (this.waiting[refs[0] as number] as Waiting).input : this.stack(refs, runner.sampleSize);
      const { predictions, runMs } = await (ahead ?? runner.run(input, n));
      const ranUntil = this.clock.now();
      // A run ahead may have started before its take: only its part after the take is processing.
      const measuredMs = ahead && runMs !== undefined ? Math.min(runMs, ranUntil - hostStart) : ranUntil - hostStart;
      const processingMs = this.emulator.targetProcessingMs(runner.variant, measuredMs, emulatedStart, n);
      // Emulated finish; when the host's lateness leaves too little of the padding, the start is
      // reported later instead, so processing always lasts processingMs.
      const finishedAt = Math.max(emulatedStart + processingMs, ranUntil);
      const startedAt = finishedAt - processingMs;
      await this.emulator.waitPreciselyUntil(finishedAt);
      freedAt = finishedAt;
      outcome = (i) => ({ kind: 'completed', prediction: predictions[i] as number, startedAt, finishedAt, batchSize: n });
    } catch (e) {
      freedAt = this.clock.now();
      const message = `variant ${runner.variant.id} failed on a batch of ${n}: ${e instanceof Error ? e.message : String(e)}`;
      outcome = () => ({ kind: 'failed', message, finishedAt: freedAt });
    }
    this.queue.release(freedAt);
    refs.forEach((ref, i) => this.settle(ref, outcome(i)));
    this.pump();
  }

  /** The batch's inputs, one after another, as one [n, ...inputShape] tensor's data. */
  private stack(refs: readonly number[], sampleSize: number): Float32Array {
    const out = new Float32Array(refs.length * sampleSize);
    refs.forEach((ref, i) => {
      const input = (this.waiting[ref] as Waiting).input;
      if (input.length !== sampleSize) throw new RangeError(`expected ${sampleSize} floats per query, got ${input.length}`);
      out.set(input, i * sampleSize);
    });
    return out;
  }

  private settle(ref: number, outcome: ServedOutcome): void {
    const w = this.waiting[ref];
    this.waiting[ref] = undefined;
    this.freeRefs.push(ref);
    w?.resolve(outcome);
  }
}

import { queueRefuses } from './queue.bound.js';
import { Scenario } from './scenario.model.js';
import { BatchingSchema, type BatchingRule, type ClusterSpec } from './scenario.schema.js';

/** A variant run one query at a time: what a variant without a `batching` entry gets. */
export const NO_BATCHING: BatchingRule = Object.freeze({ maxBatchSize: 1, maxQueueDelayMs: 0 });

/** The batching rule of each variant `cluster` hosts, in the order of its `variants`. */
export function batchingRules(cluster: Pick<ClusterSpec, 'variants' | 'batching'>): BatchingRule[] {
  return cluster.variants.map((v) => cluster.batching?.[v] ?? NO_BATCHING);
}

/**
 * The scenario with every variant of every cluster batched by `rule` (replacing any `batching` it
 * had): for benchmarks and what-if runs. Throws naming the field when the rule is out of range.
 */
export function withBatching(scenario: Scenario, rule: BatchingRule): Scenario {
  const checked = BatchingSchema.safeParse(rule);
  if (!checked.success) throw new RangeError(`batching rule: ${checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const clusters = scenario.spec.clusters.map((c) => ({ ...c, batching: Object.fromEntries(c.variants.map((v) => [v, checked.data])) }));
  return new Scenario({ ...scenario.spec, clusters }, `${scenario.origin} (every variant batched: up to ${rule.maxBatchSize}, ${rule.maxQueueDelayMs} ms)`, scenario.traces);
}

/** One FIFO of waiting queries: the caller's refs, their variants, arrival times and arrival order. */
class VariantFifo {
  refs: Int32Array;
  variants: Int32Array;
  at: Float64Array;
  seq: Float64Array;
  head = 0;
  length = 0;

  constructor(capacity: number) {
    this.refs = new Int32Array(capacity);
    this.variants = new Int32Array(capacity);
    this.at = new Float64Array(capacity);
    this.seq = new Float64Array(capacity);
  }

  /** The i-th waiting entry's position in the ring (its capacity is a power of two). */
  index(i: number): number {
    return (this.head + i) & (this.refs.length - 1);
  }

  push(ref: number, variant: number, at: number, seq: number): void {
    if (this.length === this.refs.length) this.grow();
    const i = this.index(this.length);
    this.refs[i] = ref;
    this.variants[i] = variant;
    this.at[i] = at;
    this.seq[i] = seq;
    this.length++;
  }

  shift(): number {
    const ref = this.refs[this.head] as number;
    this.head = (this.head + 1) & (this.refs.length - 1);
    this.length--;
    return ref;
  }

  private grow(): void {
    const n = this.refs.length * 2;
    const refs = new Int32Array(n);
    const variants = new Int32Array(n);
    const at = new Float64Array(n);
    const seq = new Float64Array(n);
    for (let i = 0; i < this.length; i++) {
      const j = this.index(i);
      refs[i] = this.refs[j] as number;
      variants[i] = this.variants[j] as number;
      at[i] = this.at[j] as number;
      seq[i] = this.seq[j] as number;
    }
    this.refs = refs;
    this.variants = variants;
    this.at = at;
    this.seq = seq;
    this.head = 0;
  }
}

/**
 * How a cluster serves, one rule for the workers and the simulator: `slots` batches run at once,
 * queries wait in one FIFO per hosted variant, and dynamic batching as Triton's dynamic batcher does
 * it. With a slot free, a variant's waiting queries are ready to start as one batch once
 * `maxBatchSize` of them wait, or once the oldest has waited `maxQueueDelayMs`; the ready variant
 * whose oldest query arrived first starts, with up to `maxBatchSize` queries, oldest first. With
 * every variant at `maxBatchSize` 1 this is one FIFO over the cluster. A query arriving with every
 * slot busy and `maxQueue` waiting is refused (`queueRefuses`).
 *
 * The caller owns time and work: it offers arrivals, takes the batches that are ready, runs them, and
 * releases each batch's slot when done; and, when {@link nextReadyAt} is finite, calls {@link take}
 * again at that time, since a waiting batch becomes ready then although nothing else happened. Queries
 * are the caller's integer refs. Allocates only when a FIFO grows.
 *
 * A cluster without batching keeps its waiting queries in one FIFO (the same order, since every
 * query is ready when it arrives): the simulator's hot path then costs what a plain queue costs.
 */
export class ClusterQueue {
  private readonly fifos: VariantFifo[];
  /** True when no variant batches: one FIFO (`fifos[0]`) holds every waiting query. */
  private readonly pooled: boolean;
  /** True when some variant batches: only then can a waiting query wait with a slot free ({@link nextReadyAt} finite). */
  readonly batches: boolean;
  private readonly variantCount: number;
  private readonly maxBatch: Int32Array;
  private readonly delayMs: Float64Array;
  /** The cluster's slots and queue bound, copied into one shape (cluster specs differ in their optional fields). */
  private readonly slots: number;
  private readonly bound: Pick<ClusterSpec, 'slots' | 'maxQueue'>;
  /** When each free slot was freed, in release order (a ring); -Infinity for a slot never used. */
  private readonly freedAt: Float64Array;
  private freeHead = 0;
  private freeCount: number;
  private waitingCount = 0;
  private arrivals = 0;
  /**
   * With batching, per variant: the arrival order of its oldest waiting query, and when its waiting
   * queries form a ready batch ({@link readyAt}); both Infinity while its FIFO is empty. Kept in
   * step with the FIFOs so that finding the next batch reads two short arrays, not every FIFO.
   */
  private readonly headSeq: Float64Array;
  private readonly headReadyAt: Float64Array;
  /** The variant (index into the rules) of the batch {@link take} last returned. */
  batchVariant = -1;
  /**
   * When the batch {@link take} last returned could have started: once it was ready and its slot's
   * previous batch was done, at most the `now` given to take. Emulated clusters start it then, so
   * that the host's lateness in calling take is not queued.
   */
  batchReadyAt = 0;
  /** The longest batch any variant may form: the size a take's `out` array needs. */
  readonly largestBatch: number;

  constructor(
    private readonly cluster: Pick<ClusterSpec, 'id' | 'slots' | 'maxQueue'>,
    /** Per variant index (the caller's numbering, e.g. {@link batchingRules}' order). */
    rules: readonly BatchingRule[],
  ) {
    if (rules.length === 0) throw new RangeError(`cluster ${cluster.id}: a cluster queue needs at least one variant`);
    this.variantCount = rules.length;
    this.pooled = rules.every((r) => r.maxBatchSize === 1);
    this.batches = !this.pooled;
    this.fifos = this.pooled ? [new VariantFifo(16)] : rules.map(() => new VariantFifo(16));
    this.maxBatch = Int32Array.from(rules, (r) => r.maxBatchSize);
    this.delayMs = Float64Array.from(rules, (r) => r.maxQueueDelayMs);
    this.largestBatch = Math.max(...this.maxBatch);
    this.headSeq = new Float64Array(this.fifos.length).fill(Infinity);
    this.headReadyAt = new Float64Array(this.fifos.length).fill(Infinity);
    this.slots = cluster.slots;
    this.bound = { slots: cluster.slots, maxQueue: cluster.maxQueue };
    this.freedAt = new Float64Array(cluster.slots).fill(-Infinity);
    this.freeCount = cluster.slots;
  }

  /** Slots running a batch. */
  get busy(): number {
    return this.slots - this.freeCount;
  }

  /** Queries waiting for a batch to start, over every variant. */
  get waiting(): number {
    return this.waitingCount;
  }

  /**
   * A query of `variant` arrives at `now`. Returns false, keeping nothing, when the cluster refuses it
   * (every slot busy and `maxQueue` waiting); else it waits, and the caller calls {@link take}.
   */
  offer(ref: number, variant: number, now: number): boolean {
    if (queueRefuses(this.bound, this.slots - this.freeCount, this.waitingCount)) return false;
    if (!(variant >= 0 && variant < this.variantCount)) throw new RangeError(`cluster ${this.cluster.id}: variant index ${variant} is out of range (${this.variantCount} variants)`);
    if (this.pooled) (this.fifos[0] as VariantFifo).push(ref, variant, now, this.arrivals++);
    else {
      (this.fifos[variant] as VariantFifo).push(ref, variant, now, this.arrivals++);
      this.headChanged(variant);
    }
    this.waitingCount++;
    return true;
  }

  /**
   * {@link offer} and {@link take} at once for the common case, without touching a FIFO: when no
   * variant batches, a slot is free and nothing waits, the query starts now as a batch of one
   * ({@link batchVariant}, {@link batchReadyAt} set) and true is returned. Otherwise nothing
   * changes, false is returned, and the caller offers the query.
   */
  startAlone(variant: number, now: number): boolean {
    if (!this.pooled || this.freeCount === 0 || this.waitingCount > 0) return false;
    if (!(variant >= 0 && variant < this.variantCount)) throw new RangeError(`cluster ${this.cluster.id}: variant index ${variant} is out of range (${this.variantCount} variants)`);
    this.arrivals++;
    this.takeSlot();
    this.batchVariant = variant;
    this.batchReadyAt = now;
    return true;
  }

  /**
   * Starts the batch that is ready at `now` on a free slot, if any: writes its refs, oldest first,
   * into `out` (length at least {@link largestBatch}) and returns how many; sets {@link batchVariant}
   * and {@link batchReadyAt}. Returns 0, changing nothing, when no slot is free or no batch is ready.
   * Call it until it returns 0.
   */
  take(now: number, out: Int32Array): number {
    if (this.freeCount === 0 || this.waitingCount === 0) return 0;
    if (this.pooled) {
      const f = this.fifos[0] as VariantFifo;
      const arrivedAt = f.at[f.head] as number;
      if (arrivedAt > now) return 0;
      this.batchVariant = f.variants[f.head] as number;
      out[0] = f.shift();
      this.waitingCount--;
      this.batchReadyAt = Math.min(now, Math.max(arrivedAt, this.takeSlot()));
      return 1;
    }
    // The ready variant whose oldest query came first.
    const headSeq = this.headSeq;
    const headReadyAt = this.headReadyAt;
    let best = -1;
    let bestSeq = Infinity;
    for (let v = 0; v < headSeq.length; v++) {
      const seq = headSeq[v] as number;
      if (seq < bestSeq && (headReadyAt[v] as number) <= now) {
        best = v;
        bestSeq = seq;
      }
    }
    if (best < 0) return 0;
    const readyAt = headReadyAt[best] as number;
    const f = this.fifos[best] as VariantFifo;
    const n = Math.min(f.length, this.maxBatch[best] as number);
    for (let i = 0; i < n; i++) out[i] = f.shift();
    this.headChanged(best);
    this.waitingCount -= n;
    this.batchVariant = best;
    this.batchReadyAt = Math.min(now, Math.max(readyAt, this.takeSlot()));
    return n;
  }

  /** Variant `v`'s FIFO changed (batching only): refreshes its entries in {@link headSeq} and {@link headReadyAt}. */
  private headChanged(v: number): void {
    const f = this.fifos[v] as VariantFifo;
    if (f.length === 0) {
      this.headSeq[v] = Infinity;
      this.headReadyAt[v] = Infinity;
      return;
    }
    this.headSeq[v] = f.seq[f.head] as number;
    this.headReadyAt[v] = this.readyAt(v);
  }

  /** Takes the free slot freed first; returns when it was freed. */
  private takeSlot(): number {
    const freedAt = this.freedAt[this.freeHead] as number;
    this.freeHead = this.freeHead + 1 === this.freedAt.length ? 0 : this.freeHead + 1;
    this.freeCount--;
    return freedAt;
  }

  /**
   * The earliest time a waiting batch becomes ready by its delay with nothing else happening, when a
   * slot is free: the caller calls {@link take} then. Infinity when no slot is free (a release
   * comes first) or nothing waits.
   */
  nextReadyAt(): number {
    if (this.freeCount === 0 || this.waitingCount === 0) return Infinity;
    if (this.pooled) return this.readyAt(0);
    const headReadyAt = this.headReadyAt;
    let at = Infinity;
    for (let v = 0; v < headReadyAt.length; v++) if ((headReadyAt[v] as number) < at) at = headReadyAt[v] as number;
    return at;
  }

  /** A batch is done: its slot is free again; `freedAt` is when it was done (see {@link batchReadyAt}). */
  release(freedAt: number): void {
    if (this.freeCount === this.slots) throw new Error(`cluster ${this.cluster.id}: release without a running batch`);
    const i = this.freeHead + this.freeCount;
    this.freedAt[i >= this.freedAt.length ? i - this.freedAt.length : i] = freedAt;
    this.freeCount++;
  }

  /** Removes every waiting query (the cluster went dark), calling `each` with its ref in arrival order. */
  clear(each: (ref: number) => void): void {
    while (this.waitingCount > 0) {
      let oldest = 0;
      for (let v = 1; v < this.fifos.length; v++) if (this.oldestSeq(v) < this.oldestSeq(oldest)) oldest = v;
      this.waitingCount--;
      const ref = (this.fifos[oldest] as VariantFifo).shift();
      if (!this.pooled) this.headChanged(oldest);
      each(ref);
    }
  }

  /** The arrival order of the oldest query in FIFO `v`; Infinity when it is empty. */
  private oldestSeq(v: number): number {
    const f = this.fifos[v] as VariantFifo;
    return f.length > 0 ? (f.seq[f.head] as number) : Infinity;
  }

  /** When variant `v`'s waiting queries form a ready batch: at its `maxBatchSize`-th arrival, else its oldest's arrival plus the delay. */
  private readyAt(v: number): number {
    const f = this.fifos[v] as VariantFifo;
    if (this.pooled) return f.at[f.head] as number;
    const max = this.maxBatch[v] as number;
    if (f.length >= max) return f.at[f.index(max - 1)] as number;
    return (f.at[f.head] as number) + (this.delayMs[v] as number);
  }
}

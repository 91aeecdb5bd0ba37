import { randomInt, type Random } from '@aset/determinism';

/** Which actions are valid: one entry per action, truthy (`true`, 1) = valid. */
export type ActionMask = ArrayLike<boolean | number>;

/** One step of experience. */
export interface Transition {
  /** `stateSize` values. */
  state: ArrayLike<number>;
  /** Integer in `[0, actionCount)`. */
  action: number;
  /** Finite. */
  reward: number;
  /** `stateSize` values; ignored by learning when `done`. */
  nextState: ArrayLike<number>;
  /** True when `nextState` is terminal (no bootstrapping). A time-limit cut is not terminal: pass false. */
  done: boolean;
  /** Actions valid in `nextState`; all valid when omitted. Masked actions are left out of the target's max. */
  nextMask?: ActionMask;
}

/**
 * Preallocated arrays a `ReplayBuffer` samples into: `size` transitions, sample-major
 * (`states[b * stateSize + i]`, `nextMasks[b * actionCount + a]` = 1 when valid).
 */
export class ReplayBatch {
  readonly states: Float32Array;
  readonly actions: Int32Array;
  readonly rewards: Float64Array;
  readonly nextStates: Float32Array;
  readonly dones: Uint8Array;
  readonly nextMasks: Uint8Array;
  /** Buffer slots the samples came from. */
  readonly indices: Int32Array;

  constructor(
    readonly size: number,
    readonly stateSize: number,
    readonly actionCount: number,
  ) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`ReplayBatch: size must be a positive integer, got ${size}`);
    this.states = new Float32Array(size * stateSize);
    this.actions = new Int32Array(size);
    this.rewards = new Float64Array(size);
    this.nextStates = new Float32Array(size * stateSize);
    this.dones = new Uint8Array(size);
    this.nextMasks = new Uint8Array(size * actionCount);
    this.indices = new Int32Array(size);
  }
}

/**
 * A ring buffer of transitions in typed arrays: once `capacity` is reached, each push overwrites the
 * oldest transition. Memory: about `capacity * (8 * stateSize + actionCount + 14)` bytes, allocated up
 * front.
 */
export class ReplayBuffer {
  private readonly states: Float32Array;
  private readonly actions: Int32Array;
  private readonly rewards: Float64Array;
  private readonly nextStates: Float32Array;
  private readonly dones: Uint8Array;
  private readonly nextMasks: Uint8Array;
  private next = 0;
  private count = 0;
  private pushed = 0;

  constructor(
    readonly capacity: number,
    readonly stateSize: number,
    readonly actionCount: number,
  ) {
    for (const [name, v] of [
      ['capacity', capacity],
      ['stateSize', stateSize],
      ['actionCount', actionCount],
    ] as const) {
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`ReplayBuffer: ${name} must be a positive integer, got ${v}`);
    }
    this.states = new Float32Array(capacity * stateSize);
    this.actions = new Int32Array(capacity);
    this.rewards = new Float64Array(capacity);
    this.nextStates = new Float32Array(capacity * stateSize);
    this.dones = new Uint8Array(capacity);
    this.nextMasks = new Uint8Array(capacity * actionCount);
  }

  /** Transitions held (at most `capacity`). */
  get size(): number {
    return this.count;
  }

  /** Transitions pushed since creation, including overwritten ones. */
  get totalPushed(): number {
    return this.pushed;
  }

  /** Stores a copy of `t`, overwriting the oldest transition when full. Throws on malformed input. */
  push(t: Transition): void {
    const { stateSize: n, actionCount: na } = this;
    if (t.state.length !== n) throw new RangeError(`ReplayBuffer.push: state has ${t.state.length} values, expected ${n}`);
    if (t.nextState.length !== n) throw new RangeError(`ReplayBuffer.push: nextState has ${t.nextState.length} values, expected ${n}`);
    if (!Number.isInteger(t.action) || t.action < 0 || t.action >= na) {
      throw new RangeError(`ReplayBuffer.push: action must be an integer in [0, ${na}), got ${t.action}`);
    }
    if (!Number.isFinite(t.reward)) throw new RangeError(`ReplayBuffer.push: reward must be finite, got ${t.reward}`);
    const mask = t.nextMask;
    if (mask && mask.length !== na) throw new RangeError(`ReplayBuffer.push: nextMask has ${mask.length} entries, expected ${na}`);
    const k = this.next;
    this.states.set(t.state, k * n);
    this.nextStates.set(t.nextState, k * n);
    this.actions[k] = t.action;
    this.rewards[k] = t.reward;
    this.dones[k] = t.done ? 1 : 0;
    const m = k * na;
    if (mask) for (let a = 0; a < na; a++) this.nextMasks[m + a] = mask[a] ? 1 : 0;
    else this.nextMasks.fill(1, m, m + na);
    this.next = k + 1 === this.capacity ? 0 : k + 1;
    if (this.count < this.capacity) this.count++;
    this.pushed++;
  }

  /**
   * Fills `batch` (built for this buffer's sizes) with `batch.size` transitions drawn uniformly with
   * replacement from those held, one `random()` per sample. Throws when the buffer is empty.
   */
  sample(batch: ReplayBatch, random: Random): void {
    if (this.count === 0) throw new Error('ReplayBuffer.sample: the buffer is empty');
    const { stateSize: n, actionCount: na } = this;
    if (batch.stateSize !== n || batch.actionCount !== na) {
      throw new RangeError(`ReplayBuffer.sample: batch is for ${batch.stateSize} x ${batch.actionCount}, buffer for ${n} x ${na}`);
    }
    for (let b = 0; b < batch.size; b++) {
      const k = randomInt(random, this.count);
      batch.indices[b] = k;
      batch.states.set(this.states.subarray(k * n, k * n + n), b * n);
      batch.nextStates.set(this.nextStates.subarray(k * n, k * n + n), b * n);
      batch.actions[b] = this.actions[k] as number;
      batch.rewards[b] = this.rewards[k] as number;
      batch.dones[b] = this.dones[k] as number;
      batch.nextMasks.set(this.nextMasks.subarray(k * na, k * na + na), b * na);
    }
  }

  /** A batch of `size` shaped for this buffer. */
  createBatch(size: number): ReplayBatch {
    return new ReplayBatch(size, this.stateSize, this.actionCount);
  }

  /** Forgets every transition (memory is kept). */
  clear(): void {
    this.next = 0;
    this.count = 0;
  }
}

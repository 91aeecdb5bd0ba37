/** Priorities are below this, and an event's tie key is `priority * PRIORITY_UNIT + sequence`. */
const PRIORITY_LIMIT = 256;
/** 2^44: sequences below it keep the tie key exact in a double (256 * 2^44 = 2^52). */
const PRIORITY_UNIT = 2 ** 44;

/**
 * A min-heap (4-ary) of events keyed by (time, priority, sequence), as in SimPy: earlier first; at
 * equal times, lower priority first; then insertion order. Struct-of-arrays storage, no allocation
 * per event. An event carries two integers: its kind and a reference (e.g. a query slot).
 * Priorities are integers in [0, 256); a heap takes at most 2^44 pushes between clears.
 */
export class EventHeap {
  private time: Float64Array;
  /** Per event: priority * PRIORITY_UNIT + insertion sequence, so that one comparison orders equal times. */
  private tie: Float64Array;
  private kind: Uint8Array;
  private ref: Int32Array;
  private n = 0;
  private counter = 0;

  constructor(capacity = 1024) {
    this.time = new Float64Array(capacity);
    this.tie = new Float64Array(capacity);
    this.kind = new Uint8Array(capacity);
    this.ref = new Int32Array(capacity);
  }

  get size(): number {
    return this.n;
  }

  clear(): void {
    this.n = 0;
    this.counter = 0;
  }

  push(time: number, priority: number, kind: number, ref: number): void {
    if (!(priority >= 0 && priority < PRIORITY_LIMIT && priority === (priority | 0))) throw new RangeError(`event priority ${priority} is not an integer in [0, ${PRIORITY_LIMIT})`);
    if (this.counter === PRIORITY_UNIT) throw new RangeError(`an event heap takes at most ${PRIORITY_UNIT} pushes between clears`);
    if (this.n === this.time.length) this.grow();
    const tie = priority * PRIORITY_UNIT + this.counter++;
    const times = this.time;
    const ties = this.tie;
    let i = this.n++;
    // Sift up, moving parents down into the hole.
    while (i > 0) {
      const p = (i - 1) >> 2;
      const tp = times[p] as number;
      if (time > tp || (time === tp && tie > (ties[p] as number))) break;
      this.move(p, i);
      i = p;
    }
    times[i] = time;
    ties[i] = tie;
    this.kind[i] = kind;
    this.ref[i] = ref;
  }

  /** Time of the next event; Infinity when empty. */
  peekTime(): number {
    return this.n > 0 ? (this.time[0] as number) : Infinity;
  }

  peekKind(): number {
    return this.kind[0] as number;
  }

  peekRef(): number {
    return this.ref[0] as number;
  }

  /** Removes the next event (read it with the peek methods first). */
  pop(): void {
    const last = --this.n;
    if (last === 0) return;
    const times = this.time;
    const ties = this.tie;
    const t = times[last] as number;
    const tie = ties[last] as number;
    const k = this.kind[last] as number;
    const r = this.ref[last] as number;
    let i = 0;
    for (;;) {
      const first = 4 * i + 1;
      if (first >= last) break;
      // The earliest child.
      let c = first;
      let tc = times[first] as number;
      const end = first + 4 < last ? first + 4 : last;
      for (let k = first + 1; k < end; k++) {
        const tk = times[k] as number;
        if (tk < tc || (tk === tc && (ties[k] as number) < (ties[c] as number))) {
          c = k;
          tc = tk;
        }
      }
      if (t < tc || (t === tc && tie < (ties[c] as number))) break;
      this.move(c, i);
      i = c;
    }
    times[i] = t;
    ties[i] = tie;
    this.kind[i] = k;
    this.ref[i] = r;
  }

  private move(from: number, to: number): void {
    this.time[to] = this.time[from] as number;
    this.tie[to] = this.tie[from] as number;
    this.kind[to] = this.kind[from] as number;
    this.ref[to] = this.ref[from] as number;
  }

  private grow(): void {
    const cap = this.time.length * 2;
    const grow = <T extends Float64Array | Uint8Array | Int32Array>(a: T, make: (n: number) => T): T => {
      const b = make(cap);
      b.set(a);
      return b;
    };
    this.time = grow(this.time, (n) => new Float64Array(n));
    this.tie = grow(this.tie, (n) => new Float64Array(n));
    this.kind = grow(this.kind, (n) => new Uint8Array(n));
    this.ref = grow(this.ref, (n) => new Int32Array(n));
  }
}

/**
 * A binary min-heap of events keyed by (time, priority, sequence), as in SimPy: earlier first; at
 * equal times, lower priority first; then insertion order. Struct-of-arrays storage, no allocation
 * per event. An event carries two integers: its kind and a reference (e.g. a query slot).
 */
export class EventHeap {
  private time: Float64Array;
  private prio: Uint8Array;
  private seq: Float64Array;
  private kind: Uint8Array;
  private ref: Int32Array;
  private n = 0;
  private counter = 0;

  constructor(capacity = 1024) {
    this.time = new Float64Array(capacity);
    this.prio = new Uint8Array(capacity);
    this.seq = new Float64Array(capacity);
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
    if (this.n === this.time.length) this.grow();
    let i = this.n++;
    const seq = this.counter++;
    // Sift up, moving parents down into the hole.
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.before(time, priority, seq, p)) break;
      this.move(p, i);
      i = p;
    }
    this.time[i] = time;
    this.prio[i] = priority;
    this.seq[i] = seq;
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
    const t = this.time[last] as number;
    const pr = this.prio[last] as number;
    const sq = this.seq[last] as number;
    const k = this.kind[last] as number;
    const r = this.ref[last] as number;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= last) break;
      const rr = l + 1;
      const c = rr < last && this.less(rr, l) ? rr : l;
      if (!this.after(t, pr, sq, c)) break;
      this.move(c, i);
      i = c;
    }
    this.time[i] = t;
    this.prio[i] = pr;
    this.seq[i] = sq;
    this.kind[i] = k;
    this.ref[i] = r;
  }

  /** Is (t, p, s) before the event at index j? */
  private before(t: number, p: number, s: number, j: number): boolean {
    const tj = this.time[j] as number;
    if (t !== tj) return t < tj;
    const pj = this.prio[j] as number;
    if (p !== pj) return p < pj;
    return s < (this.seq[j] as number);
  }

  /** Is (t, p, s) after the event at index j? */
  private after(t: number, p: number, s: number, j: number): boolean {
    const tj = this.time[j] as number;
    if (t !== tj) return t > tj;
    const pj = this.prio[j] as number;
    if (p !== pj) return p > pj;
    return s > (this.seq[j] as number);
  }

  private less(a: number, b: number): boolean {
    return this.before(this.time[a] as number, this.prio[a] as number, this.seq[a] as number, b);
  }

  private move(from: number, to: number): void {
    this.time[to] = this.time[from] as number;
    this.prio[to] = this.prio[from] as number;
    this.seq[to] = this.seq[from] as number;
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
    this.prio = grow(this.prio, (n) => new Uint8Array(n));
    this.seq = grow(this.seq, (n) => new Float64Array(n));
    this.kind = grow(this.kind, (n) => new Uint8Array(n));
    this.ref = grow(this.ref, (n) => new Int32Array(n));
  }
}

/**
 * Bounds how many queries a cluster runs at once. Waiters are served first-in, first-out.
 * `busy` and `waiting` are what heartbeats report.
 */
export class SlotPool {
  private inUse = 0;
  private readonly waiters: (() => void)[] = [];

  constructor(readonly slots: number) {
    if (!Number.isInteger(slots) || slots < 1) throw new RangeError(`slots must be a positive integer, got ${slots}`);
  }

  get busy(): number {
    return this.inUse;
  }

  get waiting(): number {
    return this.waiters.length;
  }

  /** Resolves once a slot is held. Every acquire must be paired with exactly one release. */
  acquire(): Promise<void> {
    if (this.inUse < this.slots) {
      this.inUse++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else if (this.inUse > 0) this.inUse--;
    else throw new Error('SlotPool.release without a matching acquire');
  }
}

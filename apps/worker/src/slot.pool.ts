/**
 * Bounds how many queries a cluster runs at once. Waiters are served first-in, first-out.
 * `busy` and `waiting` are what heartbeats report.
 *
 * A slot handed from one query to the next carries the time its holder was done with it (the
 * `freedAt` given to release), so that an emulated cluster can start the next query at that
 * instant rather than whenever the host's event loop resumes the waiter.
 */
export class SlotPool {
  private inUse = 0;
  private readonly waiters: ((freedAt: number | undefined) => void)[] = [];

  constructor(readonly slots: number) {
    if (!Number.isInteger(slots) || slots < 1) throw new RangeError(`slots must be a positive integer, got ${slots}`);
  }

  get busy(): number {
    return this.inUse;
  }

  get waiting(): number {
    return this.waiters.length;
  }

  /**
   * Resolves once a slot is held: with undefined when one was free at once, else with the `freedAt`
   * its previous holder released it with. Every acquire must be paired with exactly one release.
   */
  acquire(): Promise<number | undefined> {
    if (this.inUse < this.slots) {
      this.inUse++;
      return Promise.resolve(undefined);
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Gives the slot back; `freedAt` (clock ms) is when its holder was done with it, passed on to the next waiter. */
  release(freedAt?: number): void {
    const next = this.waiters.shift();
    if (next) next(freedAt);
    else if (this.inUse > 0) this.inUse--;
    else throw new Error('SlotPool.release without a matching acquire');
  }
}

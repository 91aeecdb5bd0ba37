/**
 * Bounds how many queries a cluster runs at once. Waiters are served first-in, first-out.
 * `busy` and `waiting` are what heartbeats report.
 *
 * A slot remembers when its last holder was done with it (the `freedAt` given to release), and
 * acquire hands that on, so that an emulated cluster can start the next query at that instant,
 * never before it, whether the query waited for the slot or found it free.
 */
export class SlotPool {
  /** When each free slot was freed; undefined for a slot never used. */
  private readonly free: (number | undefined)[];
  private readonly waiters: ((freedAt: number | undefined) => void)[] = [];

  constructor(readonly slots: number) {
    if (!Number.isInteger(slots) || slots < 1) throw new RangeError(`slots must be a positive integer, got ${slots}`);
    this.free = Array.from({ length: slots }, () => undefined);
  }

  get busy(): number {
    return this.slots - this.free.length;
  }

  get waiting(): number {
    return this.waiters.length;
  }

  /**
   * Resolves once a slot is held, with the `freedAt` its previous holder released it with
   * (undefined for a slot never used): of the free slots, the one freed first. Every acquire must be
   * paired with exactly one release.
   */
  acquire(): Promise<number | undefined> {
    if (this.free.length === 0) return new Promise((resolve) => this.waiters.push(resolve));
    let earliest = 0;
    for (let i = 1; i < this.free.length; i++) if ((this.free[i] ?? -Infinity) < (this.free[earliest] ?? -Infinity)) earliest = i;
    return Promise.resolve(this.free.splice(earliest, 1)[0]);
  }

  /** Gives the slot back; `freedAt` (clock ms) is when its holder was done with it, passed on to the next holder. */
  release(freedAt?: number): void {
    const next = this.waiters.shift();
    if (next) next(freedAt);
    else if (this.free.length < this.slots) this.free.push(freedAt);
    else throw new Error('SlotPool.release without a matching acquire');
  }
}

/** A change of a window's alert state: it started firing, or it stopped. */
export type AlertChange = 'fired' | 'resolved';

/**
 * The SLO verdicts of the last `size` queries of one (run, app), and whether its alert is firing. An
 * alert fires when the window is full and fewer than `minSuccess` of its queries met their SLO, and
 * resolves when the ratio is back at or above `minSuccess`.
 */
export class SloWindow {
  private readonly verdicts: Uint8Array;
  private next = 0;
  private filled = 0;
  private met = 0;
  firing = false;

  constructor(
    readonly size: number,
    private readonly minSuccess: number,
  ) {
    this.verdicts = new Uint8Array(size);
  }

  /** Fraction of the window's queries that met their SLO (1 while empty). */
  get successRatio(): number {
    return this.filled === 0 ? 1 : this.met / this.filled;
  }

  /** Adds one query's verdict; returns the alert's change, if any. */
  add(sloMet: boolean): AlertChange | undefined {
    if (this.filled === this.size) this.met -= this.verdicts[this.next] as number;
    else this.filled++;
    this.verdicts[this.next] = sloMet ? 1 : 0;
    this.met += sloMet ? 1 : 0;
    this.next = (this.next + 1) % this.size;
    const below = this.filled === this.size && this.successRatio < this.minSuccess;
    if (below === this.firing) return undefined;
    this.firing = below;
    return below ? 'fired' : 'resolved';
  }
}

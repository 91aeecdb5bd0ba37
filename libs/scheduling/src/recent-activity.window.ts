import type { Scenario } from '@aset/scenario';
import type { PlacementCatalog } from './placement.catalog.js';
import type { QueryOutcome, QueryView } from './policy.contract.js';

/**
 * What a scheduler has seen recently, as exponentially decaying sums with time constant `tauMs`
 * (updates and reads are O(1), no per-event allocation). Fed with the queries it schedules and the
 * outcomes it learns of; the same code runs live and in the simulator, so ASET sees the same state.
 */
export class RecentActivity {
  private readonly decay: (dtMs: number) => number;
  private lastMs = 0;
  // Per app: arrivals, ended, met.
  readonly appArrivals: Float64Array;
  readonly appEnded: Float64Array;
  readonly appMet: Float64Array;
  // Per cluster: outcomes, losses (timed out or error after dispatch), and excess delay sum.
  readonly clusterEnded: Float64Array;
  readonly clusterLost: Float64Array;
  readonly clusterExcess: Float64Array;
  readonly clusterDispatched: Float64Array;
  ended = 0;
  met = 0;
  private readonly appIndex = new Map<string, number>();
  private readonly sourceIndexOf: (id: string) => number;

  constructor(
    readonly scenario: Scenario,
    private readonly catalog: PlacementCatalog,
    readonly tauMs = 2000,
  ) {
    scenario.applications.forEach((a, i) => this.appIndex.set(a.id, i));
    const apps = scenario.applications.length;
    const clusters = scenario.clusters.length;
    this.appArrivals = new Float64Array(apps);
    this.appEnded = new Float64Array(apps);
    this.appMet = new Float64Array(apps);
    this.clusterEnded = new Float64Array(clusters);
    this.clusterLost = new Float64Array(clusters);
    this.clusterExcess = new Float64Array(clusters);
    this.clusterDispatched = new Float64Array(clusters);
    this.decay = (dt) => Math.exp(-dt / tauMs);
    this.sourceIndexOf = (id) => scenario.sourceIndex(id);
  }

  /** Ages every sum to `nowMs`. Time never goes back; earlier times are ignored. */
  advance(nowMs: number): void {
    if (nowMs <= this.lastMs) return;
    const f = this.decay(nowMs - this.lastMs);
    this.lastMs = nowMs;
    for (const a of [this.appArrivals, this.appEnded, this.appMet, this.clusterEnded, this.clusterLost, this.clusterExcess, this.clusterDispatched]) {
      for (let i = 0; i < a.length; i++) a[i] = (a[i] as number) * f;
    }
    this.ended *= f;
    this.met *= f;
  }

  onArrival(query: QueryView, nowMs: number): void {
    this.advance(nowMs);
    const i = this.appIndex.get(query.app);
    if (i !== undefined) this.appArrivals[i] = (this.appArrivals[i] as number) + 1;
  }

  onDispatch(clusterIndex: number): void {
    this.clusterDispatched[clusterIndex] = (this.clusterDispatched[clusterIndex] as number) + 1;
  }

  /**
   * Records an outcome. Excess delay is what the latency holds beyond the nominal network time and
   * the processing: queueing, degraded links; a lost query counts as lost, not as delay.
   */
  onOutcome(o: QueryOutcome): void {
    this.advance(o.completedAt);
    this.ended++;
    if (o.sloMet) this.met++;
    const a = this.appIndex.get(o.app);
    if (a !== undefined) {
      this.appEnded[a] = (this.appEnded[a] as number) + 1;
      if (o.sloMet) this.appMet[a] = (this.appMet[a] as number) + 1;
    }
    const c = o.clusterIndex;
    if (c < 0) return;
    this.clusterEnded[c] = (this.clusterEnded[c] as number) + 1;
    if (o.status !== 'completed' || o.processingMs === null) {
      this.clusterLost[c] = (this.clusterLost[c] as number) + 1;
      return;
    }
    const app = this.scenario.app(o.app);
    const nominal = this.catalog.networkMs(this.sourceIndexOf(o.source), c, o.app, app?.task ?? '');
    this.clusterExcess[c] = (this.clusterExcess[c] as number) + Math.max(0, o.latencyMs - o.processingMs - nominal);
  }

  /** Recent success ratio (1 when nothing ended recently: no evidence of trouble). */
  successRatio(): number {
    return this.ended > 1e-6 ? this.met / this.ended : 1;
  }

  appSuccessRatio(app: number): number {
    const e = this.appEnded[app] as number;
    return e > 1e-6 ? (this.appMet[app] as number) / e : 1;
  }

  /** Mean excess delay of a cluster's recent answers, ms (0 with no evidence). */
  excessMs(c: number): number {
    const answered = (this.clusterEnded[c] as number) - (this.clusterLost[c] as number);
    return answered > 1e-6 ? (this.clusterExcess[c] as number) / answered : 0;
  }

  /** Fraction of a cluster's recent outcomes that were lost (0 with no evidence). */
  lossRate(c: number): number {
    const e = this.clusterEnded[c] as number;
    return e > 1e-6 ? (this.clusterLost[c] as number) / e : 0;
  }

  /** Arrivals per second of an app, recently (the decayed count over tau). */
  appRatePerSec(app: number): number {
    return ((this.appArrivals[app] as number) / this.tauMs) * 1000;
  }
}

import type { Scenario } from '@aset/scenario';
import type { PlacementCatalog } from './placement.catalog.js';
import type { QueryOutcome, QueryView } from './policy.contract.js';

/** Weight, in answers, of the common excess delay in each cluster's estimate ({@link RecentActivity.excessMs}). */
export const EXCESS_PRIOR_WEIGHT = 1;

/**
 * What a scheduler has seen recently, as exponentially decaying sums with time constant `tauMs`.
 * Updates and reads are O(1) and allocate nothing: values are stored scaled by `exp((t - origin) / tau)`
 * and read back divided by the current scale (rebased before it can overflow). Fed with the queries
 * it schedules and the outcomes it learns of; the same code runs live and in the simulator, so ASET
 * sees the same state in both.
 */
export class RecentActivity {
  private origin = 0;
  private nowMs = 0;
  /** exp((nowMs - origin) / tau): what stored sums are divided by when read. */
  private scale = 1;
  // Per app: arrivals, ended, met.
  readonly appArrivals: Float64Array;
  readonly appEnded: Float64Array;
  readonly appMet: Float64Array;
  // Per cluster: outcomes, losses (timed out or error after dispatch), and excess delay sum.
  readonly clusterEnded: Float64Array;
  readonly clusterLost: Float64Array;
  readonly clusterExcess: Float64Array;
  readonly clusterDispatched: Float64Array;
  /** Per cluster: dispatches of queries that had no other cluster to go to in time (see onDispatch). */
  readonly clusterTightDispatched: Float64Array;
  private endedSum = 0;
  private metSum = 0;
  /** Over every cluster: answered outcomes and their excess delay (the prior each cluster's excess is shrunk towards). */
  private answeredSum = 0;
  private excessSum = 0;
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
    this.clusterTightDispatched = new Float64Array(clusters);
    this.sourceIndexOf = (id) => scenario.sourceIndex(id);
  }

  /** Moves the clock to `nowMs`. Time never goes back; earlier times are ignored. */
  advance(nowMs: number): void {
    if (nowMs <= this.nowMs) return;
    this.nowMs = nowMs;
    if (nowMs - this.origin > 200 * this.tauMs) this.rebase();
    this.scale = Math.exp((nowMs - this.origin) / this.tauMs);
  }

  private rebase(): void {
    const f = Math.exp(-(this.nowMs - this.origin) / this.tauMs);
    for (const a of [this.appArrivals, this.appEnded, this.appMet, this.clusterEnded, this.clusterLost, this.clusterExcess, this.clusterDispatched, this.clusterTightDispatched]) {
      for (let i = 0; i < a.length; i++) a[i] = (a[i] as number) * f;
    }
    this.endedSum *= f;
    this.metSum *= f;
    this.answeredSum *= f;
    this.excessSum *= f;
    this.origin = this.nowMs;
  }

  /** Recently ended outcomes (decayed count). */
  get ended(): number {
    return this.endedSum / this.scale;
  }

  /** Recently ended outcomes that met their SLO (decayed count). */
  get met(): number {
    return this.metSum / this.scale;
  }

  onArrival(query: QueryView, nowMs: number): void {
    this.advance(nowMs);
    const i = this.appIndex.get(query.app);
    if (i !== undefined) this.appArrivals[i] = (this.appArrivals[i] as number) + this.scale;
  }

  /** Records a dispatch; `tight` when the query could meet its deadline on no other cluster (as far as the caller estimates). */
  onDispatch(clusterIndex: number, tight = false): void {
    this.clusterDispatched[clusterIndex] = (this.clusterDispatched[clusterIndex] as number) + this.scale;
    if (tight) this.clusterTightDispatched[clusterIndex] = (this.clusterTightDispatched[clusterIndex] as number) + this.scale;
  }

  /**
   * Records an outcome. Excess delay is what the latency holds beyond the nominal network time and
   * the processing: queueing, degraded links; a lost query counts as lost, not as delay.
   */
  onOutcome(o: QueryOutcome): void {
    this.advance(o.completedAt);
    const w = this.scale;
    this.endedSum += w;
    if (o.sloMet) this.metSum += w;
    const a = this.appIndex.get(o.app);
    if (a !== undefined) {
      this.appEnded[a] = (this.appEnded[a] as number) + w;
      if (o.sloMet) this.appMet[a] = (this.appMet[a] as number) + w;
    }
    const c = o.clusterIndex;
    // A source the scenario does not have (a record from elsewhere) has no nominal network time: nothing to learn of the cluster.
    if (c < 0 || !this.scenario.hasSource(o.source)) return;
    this.clusterEnded[c] = (this.clusterEnded[c] as number) + w;
    if (o.status !== 'completed' || o.processingMs === null) {
      this.clusterLost[c] = (this.clusterLost[c] as number) + w;
      return;
    }
    const app = this.scenario.app(o.app);
    const nominal = this.catalog.networkMs(this.sourceIndexOf(o.source), c, o.app, app?.task ?? '');
    const excess = w * Math.max(0, o.latencyMs - o.processingMs - nominal);
    this.clusterExcess[c] = (this.clusterExcess[c] as number) + excess;
    this.answeredSum += w;
    this.excessSum += excess;
  }

  /** Recent success ratio (1 when nothing ended recently: no evidence of trouble). */
  successRatio(): number {
    return this.endedSum > 1e-6 * this.scale ? this.metSum / this.endedSum : 1;
  }

  appSuccessRatio(app: number): number {
    const e = this.appEnded[app] as number;
    return e > 1e-6 * this.scale ? (this.appMet[app] as number) / e : 1;
  }

  /**
   * The excess delay to expect of a cluster's next answer, ms: the mean of its recent answers' excess,
   * shrunk towards the mean over every cluster's recent answers by {@link EXCESS_PRIOR_WEIGHT}
   * pseudo-answers (0 with no evidence anywhere). As a cluster's own evidence decays, its estimate
   * returns to the common one: one outlier (say, the first query through a cold pipeline) cannot
   * keep a cluster that is no longer sent anything looking slow.
   */
  excessMs(c: number): number {
    const prior = this.answeredSum > 1e-6 * this.scale ? this.excessSum / this.answeredSum : 0;
    const pseudo = EXCESS_PRIOR_WEIGHT * this.scale;
    const answered = (this.clusterEnded[c] as number) - (this.clusterLost[c] as number);
    return ((this.clusterExcess[c] as number) + pseudo * prior) / (Math.max(0, answered) + pseudo);
  }

  /** Fraction of a cluster's recent outcomes that were lost (0 with no evidence). */
  lossRate(c: number): number {
    const e = this.clusterEnded[c] as number;
    return e > 1e-6 * this.scale ? (this.clusterLost[c] as number) / e : 0;
  }

  /** Dispatches per ms to a cluster, recently (the decayed count over tau); `tight`: only those recorded as tight. */
  dispatchRatePerMs(c: number, tight = false): number {
    return ((tight ? this.clusterTightDispatched : this.clusterDispatched)[c] as number) / this.scale / this.tauMs;
  }

  /** Arrivals per second of an app, recently (the decayed count over tau). */
  appRatePerSec(app: number): number {
    return ((this.appArrivals[app] as number) / this.scale / this.tauMs) * 1000;
  }
}

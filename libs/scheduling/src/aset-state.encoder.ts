import type { Scenario, Tier } from '@aset/scenario';
import { TIERS, meanArrivalRatePerSec } from '@aset/scenario';
import { serviceEstimateMs, type FeasibleSet, type HostedVariant, type PlacementCatalog } from './placement.catalog.js';
import type { ClusterState, Observation, QueryView } from './policy.contract.js';
import type { RecentActivity } from './recent-activity.window.js';
import { SafetyShield } from './safety.shield.js';

const clip = (x: number, hi = 10) => (x > hi ? hi : x);

/**
 * The continuous state ASET observes (the same code live and in simulation):
 * - per cluster: busy slots and queue length over slots (from heartbeats), recent excess delay over
 *   its nominal RTT, recent loss rate;
 * - per tier: mean load, share of overloaded clusters, mean excess delay, mean loss rate;
 * - per application: recent arrival rate over its nominal rate, recent success ratio;
 * - overall recent success ratio, and the active policy (one-hot) for the meta scheduler.
 * Every feature is scaled to about [0, 1] (clipped at 10).
 */
export class AsetStateEncoder {
  readonly size: number;
  private readonly nominalAppRate: Float64Array;
  private readonly nominalRtt: Float64Array;
  private readonly tierOf: Int32Array;
  private readonly tierCount: Int32Array;

  constructor(
    readonly scenario: Scenario,
    readonly catalog: PlacementCatalog,
    readonly activity: RecentActivity,
    /** Number of meta actions (static policies) whose one-hot ends the state; 0 for none. */
    readonly policyCount: number,
  ) {
    const apps = scenario.applications;
    this.nominalAppRate = new Float64Array(apps.length);
    scenario.spec.workload.arrivals.forEach((a, i) => {
      const k = apps.findIndex((x) => x.id === a.app);
      this.nominalAppRate[k] = (this.nominalAppRate[k] as number) + meanArrivalRatePerSec(a.process, scenario.traces.get(i));
    });
    // Mean RTT to each cluster over sources: its scale for excess delay.
    this.nominalRtt = catalog.nominalRttMs;
    this.tierOf = Int32Array.from(scenario.clusters, (c) => TIERS.indexOf(c.tier as Tier));
    this.tierCount = new Int32Array(TIERS.length);
    for (const t of this.tierOf) this.tierCount[t] = (this.tierCount[t] as number) + 1;
    this.size = scenario.clusters.length * 4 + TIERS.length * 4 + apps.length * 2 + 1 + policyCount;
  }

  /** Writes the state into `out` (length `size`) and returns it. `activePolicy` is ignored when policyCount is 0. */
  encode(observation: Observation, activePolicy: number, out: Float32Array = new Float32Array(this.size)): Float32Array {
    const { scenario, activity, catalog } = this;
    activity.advance(observation.now);
    const n = scenario.clusters.length;
    const tierLoad = new Float64Array(TIERS.length);
    const tierOver = new Float64Array(TIERS.length);
    const tierExcess = new Float64Array(TIERS.length);
    const tierLoss = new Float64Array(TIERS.length);
    let k = 0;
    for (let c = 0; c < n; c++) {
      const st = observation.clusters[c] as ClusterState;
      const slots = catalog.slots[c] as number;
      const busy = st.busySlots / slots;
      const queue = st.queueLength / slots;
      const excess = activity.excessMs(c) / (this.nominalRtt[c] as number);
      const loss = activity.lossRate(c);
      out[k++] = clip(busy);
      out[k++] = clip(queue);
      out[k++] = clip(excess);
      out[k++] = loss;
      const t = this.tierOf[c] as number;
      tierLoad[t] = (tierLoad[t] as number) + busy + queue;
      if (busy + queue >= 1) tierOver[t] = (tierOver[t] as number) + 1;
      tierExcess[t] = (tierExcess[t] as number) + excess;
      tierLoss[t] = (tierLoss[t] as number) + loss;
    }
    for (let t = 0; t < TIERS.length; t++) {
      const m = Math.max(1, this.tierCount[t] as number);
      out[k++] = clip((tierLoad[t] as number) / m);
      out[k++] = (tierOver[t] as number) / m;
      out[k++] = clip((tierExcess[t] as number) / m);
      out[k++] = (tierLoss[t] as number) / m;
    }
    for (let a = 0; a < scenario.applications.length; a++) {
      out[k++] = clip(activity.appRatePerSec(a) / Math.max(1e-9, this.nominalAppRate[a] as number));
      out[k++] = activity.appSuccessRatio(a);
    }
    out[k++] = activity.successRatio();
    for (let p = 0; p < this.policyCount; p++) out[k++] = p === activePolicy ? 1 : 0;
    return out;
  }
}

/** One placement option offered to ASET-direct for a query. */
export interface Candidate {
  clusterIndex: number;
  variantId: string;
  accuracy: number;
  /** Estimated latency as latency-aware computes it, ms. */
  estimateMs: number;
  /** The variant's slot time per query on that cluster, ms (`HostedVariant.drainMs`: its processing time without batching). */
  processingMs: number;
}

/** Features per candidate, written by {@link CandidateEncoder}. */
export const CANDIDATE_FEATURES = 10;
/** Features per candidate added by the headroom view (see {@link CandidateEncoder}). */
export const HEADROOM_CANDIDATE_FEATURES = 2;
/** Query-level features added by the headroom view. */
export const HEADROOM_QUERY_FEATURES = 2;

/** Size of aset-direct's state for `slots` candidates, with or without the headroom view. */
export function candidateStateSize(slots: number, headroom: boolean): number {
  return headroom ? slots * (CANDIDATE_FEATURES + HEADROOM_CANDIDATE_FEATURES) + 2 + HEADROOM_QUERY_FEATURES : slots * CANDIDATE_FEATURES + 2;
}

/**
 * ASET-direct's view of one query: up to `slots` candidate placements among the live clusters (the
 * lowest estimated latencies among the nearest clusters, the closest cluster that meets the accuracy
 * floor, and every cloud cluster), each described by its estimated
 * network, queueing and processing time relative to the deadline, its cluster's load, recent excess
 * delay and loss, its tier and its accuracy margin; plus the query's own deadline and the recent
 * success ratio. The action is the index of a candidate; missing candidates are masked.
 *
 * With `headroom`, the state also shows the capacity a choice uses up and who else needs it: per
 * candidate, the utilization its cluster's recent dispatches offer (dispatch rate times this
 * variant's processing time over the slots) and the part of it offered by tight queries (those
 * that fitted on no other cluster); per query, how many clusters fit its deadline (over `slots`)
 * and whether it is tight itself. {@link tight} tells the caller to record the dispatch as tight.
 */
export class CandidateEncoder {
  readonly size: number;
  readonly candidates: Candidate[];
  readonly mask: Uint8Array;
  /** How many of the nearest clusters are considered besides the cloud. */
  readonly nearest: number;
  private readonly cloud: number[];
  private readonly nominalRtt: Float64Array;
  private readonly tierOf: Int32Array;
  private readonly shield: SafetyShield;
  /** The candidates' clusters and estimates as the shield reads them (copied from `candidates`). */
  private readonly shieldClusters: Int32Array;
  private readonly shieldEstimates: Float64Array;
  private count = 0;
  /** Floats per candidate in the state. */
  private readonly stride: number;
  /** Whether the last encoded query fits the deadline on at most one cluster (headroom view only). */
  tight = false;

  constructor(
    readonly scenario: Scenario,
    readonly catalog: PlacementCatalog,
    readonly activity: RecentActivity,
    readonly slots = 8,
    /** How many of the nearest clusters to consider besides the cloud. */
    nearest = 24,
    /** Only each cluster's fastest variant meeting the floor (the others are dominated). */
    readonly fastestVariantOnly = false,
    /** Safety tiers in jitter standard deviations (AsetAgents.asetDirect.safetyTiers); empty: every candidate may be chosen. */
    safetyTiers: readonly number[] = [],
    /** Add the headroom view (AsetAgents.asetDirect.headroom). */
    readonly headroom = false,
  ) {
    this.nearest = nearest;
    this.cloud = scenario.clusters.flatMap((c, i) => (c.tier === 'cloud' ? [i] : []));
    this.candidates = Array.from({ length: slots }, () => ({ clusterIndex: -1, variantId: '', accuracy: 0, estimateMs: Infinity, processingMs: 0 }));
    this.mask = new Uint8Array(slots);
    this.shield = new SafetyShield(catalog, activity, safetyTiers, slots);
    this.shieldClusters = new Int32Array(slots);
    this.shieldEstimates = new Float64Array(slots);
    this.nominalRtt = catalog.nominalRttMs;
    this.tierOf = Int32Array.from(scenario.clusters, (c) => TIERS.indexOf(c.tier as Tier));
    this.stride = headroom ? CANDIDATE_FEATURES + HEADROOM_CANDIDATE_FEATURES : CANDIDATE_FEATURES;
    this.size = candidateStateSize(slots, headroom);
  }

  /** Candidates found by the last {@link encode}. */
  get found(): number {
    return this.count;
  }

  /**
   * Fills the candidates for `query` (best estimate first) and writes the state into `out`.
   * Returns the number of candidates (0: no live cluster meets the accuracy floor).
   */
  encode(query: QueryView, observation: Observation, out: Float32Array): number {
    const { scenario, catalog, activity } = this;
    const source = query.sourceIndex ?? scenario.sourceIndex(query.source);
    const budget = query.createdAt + query.slo.maxLatencyMs - observation.now;
    this.count = 0;
    const networkRow = catalog.networkRow(source, query.app, query.task);
    const set = catalog.feasibleFor(query.task, query.slo.minAccuracy);
    const cheapestAt = set.cheapestAt;
    for (const c of this.cloud) this.consider(c, observation, networkRow, set);
    // The nearest edge clusters, and beyond them, if none of those qualifies, the closest one that
    // does: the action space always holds what the closest policy would pick (unless 8 options
    // estimate lower), so the agent can do at least as well.
    const order = scenario.clustersByProximity(source);
    let closestSeen = false;
    for (let i = 0, seen = 0; i < order.length && (seen < this.nearest || !closestSeen); i++) {
      const c = order[i] as number;
      if (!(observation.clusters[c] as ClusterState).alive) continue;
      const feasible = cheapestAt[c] !== undefined;
      if (this.tierOf[c] === 2) {
        closestSeen ||= feasible;
        continue;
      }
      if (seen < this.nearest || (feasible && !closestSeen)) this.consider(c, observation, networkRow, set);
      seen++;
      closestSeen ||= feasible;
    }
    out.fill(0);
    const deadline = Math.max(1, query.slo.maxLatencyMs);
    for (let j = 0; j < this.slots; j++) {
      this.mask[j] = j < this.count ? 1 : 0;
      if (j >= this.count) continue;
      const cand = this.candidates[j] as Candidate;
      const c = cand.clusterIndex;
      const st = observation.clusters[c] as ClusterState;
      const slots = catalog.slots[c] as number;
      const o = j * this.stride;
      const network = networkRow[c] as number;
      out[o] = clip(cand.estimateMs / deadline);
      out[o + 1] = clip(network / deadline);
      out[o + 2] = clip((cand.estimateMs - network) / deadline);
      out[o + 3] = clip((st.busySlots + st.queueLength) / slots);
      out[o + 4] = clip(activity.excessMs(c) / (this.nominalRtt[c] as number));
      out[o + 5] = activity.lossRate(c);
      out[o + 6] = this.tierOf[c] === 0 ? 1 : 0;
      out[o + 7] = this.tierOf[c] === 1 ? 1 : 0;
      out[o + 8] = clip((cand.accuracy - query.slo.minAccuracy) * 10);
      out[o + 9] = cand.estimateMs <= budget ? 1 : 0;
      if (this.headroom) {
        out[o + 10] = clip((activity.dispatchRatePerMs(c) * cand.processingMs) / slots, 5);
        out[o + 11] = clip((activity.dispatchRatePerMs(c, true) * cand.processingMs) / slots, 5);
      }
    }
    if (this.headroom) {
      // Clusters on which the query fits its deadline (candidates are few: a quadratic scan is cheap).
      let fitting = 0;
      for (let j = 0; j < this.count; j++) {
        const cand = this.candidates[j] as Candidate;
        if (cand.estimateMs > budget) continue;
        let first = true;
        for (let i = 0; i < j; i++) {
          const other = this.candidates[i] as Candidate;
          if (other.clusterIndex === cand.clusterIndex && other.estimateMs <= budget) first = false;
        }
        if (first) fitting++;
      }
      this.tight = fitting <= 1;
      const g = this.slots * this.stride + 2;
      out[g] = fitting / this.slots;
      out[g + 1] = this.tight ? 1 : 0;
    }
    if (this.shield.tiers.length > 0) {
      for (let j = 0; j < this.count; j++) {
        const cand = this.candidates[j] as Candidate;
        this.shieldClusters[j] = cand.clusterIndex;
        this.shieldEstimates[j] = cand.estimateMs;
      }
      // Leaves in the mask only the candidates of the shield's first non-empty tier; the features are left as they are.
      this.shield.mark(source, this.shieldClusters, this.shieldEstimates, this.count, budget, this.mask);
    }
    out[this.slots * this.stride] = clip(budget / 100);
    out[this.slots * this.stride + 1] = activity.successRatio();
    return this.count;
  }

  /**
   * Adds the cluster's options meeting the floor (`set`: the query's task and floor), keeping the
   * `slots` lowest estimates sorted; `networkRow`: the catalog's network times from the query's source.
   */
  private consider(c: number, observation: Observation, networkRow: Float64Array, set: FeasibleSet): void {
    const st = observation.clusters[c] as ClusterState;
    if (!st.alive) return;
    const slots = this.catalog.slots[c] as number;
    const waiting = Math.max(0, st.busySlots + st.queueLength - slots + 1);
    const network = networkRow[c] as number;
    if (this.fastestVariantOnly) {
      const o = set.cheapestAt[c];
      if (!o) return;
      this.insert(c, o.variant.id, o.accuracy, network + serviceEstimateMs(o, waiting, slots), o.drainMs);
      return;
    }
    const meeting = set.meetingAt[c] as readonly HostedVariant[];
    for (let k = 0; k < meeting.length; k++) {
      const o = meeting[k] as HostedVariant;
      this.insert(c, o.variant.id, o.accuracy, network + serviceEstimateMs(o, waiting, slots), o.drainMs);
    }
  }

  private insert(c: number, variantId: string, accuracy: number, estimateMs: number, processingMs: number): void {
    const list = this.candidates;
    let j = this.count < this.slots ? this.count : this.slots - 1;
    if (this.count === this.slots && estimateMs >= (list[j] as Candidate).estimateMs) return;
    if (this.count < this.slots) this.count++;
    // Shift worse candidates down; reuse the objects.
    const spare = list[j] as Candidate;
    while (j > 0 && (list[j - 1] as Candidate).estimateMs > estimateMs) {
      list[j] = list[j - 1] as Candidate;
      j--;
    }
    spare.clusterIndex = c;
    spare.variantId = variantId;
    spare.accuracy = accuracy;
    spare.estimateMs = estimateMs;
    spare.processingMs = processingMs;
    list[j] = spare;
  }
}

import type { DropReason, Slo, TerminalStatus } from '@aset/contracts';
import type { ModelZoo } from '@aset/model-zoo';
import type { Scenario } from '@aset/scenario';
import type { Random } from '@aset/determinism';
import type { HostedVariant, PlacementCatalog } from './placement.catalog.js';

/** What a policy knows of a query. The scheduler passes the validated wire query; the simulator its own record. */
export interface QueryView {
  /** Unique within the run; pairs a decision with its outcome. */
  readonly queryId: string;
  readonly app: string;
  readonly source: string;
  /** The source's scenario index, when the caller already knows it (the simulator); else policies look it up. */
  readonly sourceIndex?: number;
  readonly task: string;
  readonly slo: Slo;
  /** Scheduled send time, ms; the deadline is `createdAt + slo.maxLatencyMs`. */
  readonly createdAt: number;
}

/** Live state of one cluster, as last reported (heartbeats live, the event loop in simulation). */
export interface ClusterState {
  busySlots: number;
  queueLength: number;
  /**
   * False while the scheduler holds the cluster to be down: no heartbeat for its liveness window
   * (3 heartbeat periods by default), or a dispatch to it found no responder; true again from its
   * next heartbeat. Every policy must leave clusters that are not alive out of its choice; a policy
   * whose every feasible cluster is down drops the query with `NO_LIVE_CLUSTER` ({@link noLiveCluster}).
   */
  alive: boolean;
}

/** Everything a policy may look at when deciding. Read-only for policies. */
export interface Observation {
  readonly now: number;
  /** Indexed like `scenario.clusters`. */
  readonly clusters: readonly ClusterState[];
}

/** A policy's answer: where to run the query, or why it is not run. Expected outcomes are values, not exceptions. */
export type Placement =
  | {
      readonly kind: 'dispatch';
      readonly clusterIndex: number;
      readonly variantId: string;
      /** The catalog entry of (cluster, variant) when the policy took it from the catalog: saves a lookup. */
      readonly hosted?: HostedVariant;
    }
  | { readonly kind: 'drop'; readonly reason: DropReason; readonly detail: string };

/**
 * A query's outcome, as the scheduler learns it: live from the records stream, in simulation from
 * the event loop. Policies that adapt (ASET) read these; others ignore them.
 */
export interface QueryOutcome {
  readonly queryId: string;
  readonly app: string;
  readonly source: string;
  /** Scenario index of the cluster that served it; -1 when it was not dispatched. */
  readonly clusterIndex: number;
  readonly status: TerminalStatus;
  readonly sloMet: boolean;
  readonly createdAt: number;
  readonly completedAt: number;
  readonly latencyMs: number;
  /** finishedAt - startedAt on the worker; null when not served. */
  readonly processingMs: number | null;
}

/**
 * Picks ASET's action from a state. Deployed: the trained network's greedy choice. In training:
 * an exploring learner, which also receives the transitions.
 */
export interface AsetController {
  /** The action for `state`; `mask[i] === 0` forbids action i. */
  choose(state: Float32Array, mask?: Uint8Array): number;
  /** Learns from one transition (training only). `state` and `nextState` may be reused by the caller after the call. */
  learn?(transition: { state: Float32Array; action: number; reward: number; nextState: Float32Array; done: boolean; mask?: Uint8Array; nextMask?: Uint8Array }): void;
}

/** The trained agents the ASET policies need (from checkpoints); absent for static policies. */
export interface AsetAgents {
  /** Meta scheduler: picks one of `policies` (static registry names) every `stepMs`. */
  readonly aset?: { controller: AsetController; policies: readonly string[]; stepMs: number };
  /** Per-query scheduler: picks one of `candidateSlots` candidate placements among the `nearestClusters` nearest and the cloud. */
  readonly asetDirect?: {
    controller: AsetController;
    candidateSlots: number;
    nearestClusters: number;
    /**
     * Offer only each cluster's fastest variant meeting the accuracy floor: the others are dominated
     * (same network and queue, longer processing, and accuracy above the floor earns no reward).
     * Absent (false) in checkpoints trained before this option existed.
     */
    fastestVariantOnly?: boolean;
    /**
     * A safety shield applied at decision time (post-posed: training runs without it): the agent
     * chooses only among the candidates of the first non-empty tier, a tier `k` holding those whose
     * estimate plus their cluster's recent excess delay plus `k` standard deviations of the link's
     * two-way jitter fits the query's remaining budget; when no tier has one, among all. Empty or
     * absent: no shield. See {@link DEFAULT_SAFETY_TIERS}.
     */
    safetyTiers?: readonly number[];
  };
}

/** Immutable inputs every policy is built from. */
export interface PolicyContext {
  readonly scenario: Scenario;
  readonly zoo: ModelZoo;
  readonly catalog: PlacementCatalog;
  /** Seeded uniform [0, 1) source; policies never call Math.random. */
  readonly random: Random;
  readonly agents?: AsetAgents;
}

/**
 * A scheduling policy. `decide` must be synchronous, fast (it runs per query on the hot path and in the
 * simulator's inner loop) and must not mutate the observation. A policy may keep internal state
 * (round-robin counters); `reset` returns it to its initial state.
 */
export interface SchedulingPolicy {
  readonly name: string;
  decide(query: QueryView, observation: Observation): Placement;
  reset?(): void;
  /** Called once per query outcome the scheduler learns of, in completion order. Must be cheap. */
  observeOutcome?(outcome: QueryOutcome): void;
}

import type { DropReason, Slo, TerminalStatus } from '@aset/contracts';
import type { ModelZoo } from '@aset/model-zoo';
import type { Scenario } from '@aset/scenario';
import type { Random } from '@aset/determinism';
import type { AsetAgents } from './aset.agents.js';
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
  /**
   * When `busySlots` and `queueLength` were measured (clock ms): live, the oldest of the summed
   * heartbeats' send times, each no later than its receipt by the scheduler; in the simulator, the snapshot's time. Absent: they are the state now
   * (the simulator's exact observation). The admission rule credits the queue with what it may
   * have drained since (`DeadlineAdmission`).
   */
  reportedAt?: number;
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

/** Immutable inputs every policy is built from. */
export interface PolicyContext {
  readonly scenario: Scenario;
  readonly zoo: ModelZoo;
  readonly catalog: PlacementCatalog;
  /** Seeded uniform [0, 1) source; policies never call Math.random. */
  readonly random: Random;
  /** Trained agents, for the policies that need them (the ASET policies); absent for the others. */
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
  /**
   * Decision journal: the policy's own decision made since the previous call (e.g. the static policy
   * aset chose for a step), or undefined when there is none. A caller that journals decisions (the
   * live scheduler) calls it after each `decide`; callers that do not journal never call it.
   */
  takeDecision?(): PolicyDecision | undefined;
  /**
   * Called once when an episode ends (training), with the final observation: a learning policy
   * settles the transitions still pending. Callers that do not train never call it.
   */
  endEpisode?(observation: Observation): void;
}

/** A decision a policy journals beside its placements: the choice it made for one step. */
export interface PolicyDecision {
  /** Step index since the policy's first query. */
  readonly step: number;
  /** The step's start time, ms. */
  readonly at: number;
  readonly stepMs: number;
  /** What was chosen (aset: a static policy's registry name). */
  readonly chosen: string;
  /** Fraction of recently ended queries that met their SLO, when the step was decided. */
  readonly observedSuccessRatio: number;
}

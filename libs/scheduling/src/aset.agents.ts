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
    /** The headroom view of the state (CandidateEncoder); absent (false) in checkpoints trained before it existed. */
    headroom?: boolean;
    /**
     * What a learning controller is taught (training only). `query` (default): each query is a
     * terminal transition rewarded 1 when it met its SLO. `discounted`: the same reward, but each
     * query's transition leads to the next query's state, so the agent learns the discounted
     * success of the queries that follow (the DQN's gamma) and can trade a query's own margin for
     * capacity the next ones need.
     */
    objective?: 'query' | 'discounted';
  };
}

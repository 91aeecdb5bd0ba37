/**
 * The liveness rule behind `ClusterState.alive`, shared by the live scheduler (`ClusterStateTracker`)
 * and the simulator: a cluster is alive while one of its workers heartbeated within the last
 * `missedHeartbeats` heartbeat periods and no dispatch to it has found no responder since; its next
 * heartbeat brings it back. Before any heartbeat the window counts from the start, so every cluster
 * is presumed alive for its first window.
 */

/** Heartbeats a cluster may miss before the scheduler holds it to be down (live and simulated). */
export const DEFAULT_MISSED_HEARTBEATS = 3;

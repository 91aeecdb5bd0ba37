export type {
  QueryView,
  ClusterState,
  Observation,
  Placement,
  QueryOutcome,
  PolicyContext,
  SchedulingPolicy,
  PolicyDecision,
} from './policy.contract.js';
export type { AsetController, AsetAgents } from './aset.agents.js';
export { outcomeOf } from './query-outcome.builder.js';
export { DEFAULT_MISSED_HEARTBEATS } from './cluster.liveness.js';
export { PlacementCatalog, serviceEstimateMs, type HostedVariant } from './placement.catalog.js';
export { POLICY_NAMES, HEURISTIC_POLICY_NAMES, agentModeOf, createPolicy, isPolicyName } from './policy.registry.js';
export { STATIC_POLICY_NAMES } from './static.policies.js';
export { AsetPolicy } from './aset.policy.js';
export { ASET_DIRECT_DEFAULTS, AsetDirectPolicy } from './aset-direct.policy.js';
export { RecentActivity } from './recent-activity.window.js';
export { AsetStateEncoder, CANDIDATE_FEATURES, HEADROOM_CANDIDATE_FEATURES, HEADROOM_QUERY_FEATURES, candidateStateSize } from './aset-state.encoder.js';
export {
  greedyController,
  parseSafetyTiers,
  loadAsetCheckpoint,
  readAsetCheckpoint,
  asetAgentFromCheckpoint,
  asetAgentsOf,
  type AsetCheckpointMetadata,
  type AsetCheckpoint,
} from './aset.checkpoint.js';
export { DqnController } from './dqn.controller.js';
export { DEFAULT_SAFETY_TIERS } from './safety.shield.js';
export { ADMISSION_JITTER_SIGMAS, DeadlineAdmission } from './deadline.admission.js';
export { emulatedCapacity } from './emulated.capacity.js';

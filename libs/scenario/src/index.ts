export {
  TIERS,
  ScenarioSchema,
  type Tier,
  type ScenarioSpec,
  type ScenarioInput,
  type ClusterSpec,
  type BatchingRule,
  BatchingSchema,
  type ApplicationSpec,
  type ArrivalProcess,
  type DynamicEvent,
  type Modulation,
} from './scenario.schema.js';
export { Scenario } from './scenario.model.js';
export { parseScenario, readScenarioFile } from './scenario.parser.js';
export { oneWayDelayMs, transferMs } from './link.delay.js';
export { ISP_DEFAULTS, generateIspScenario, renderScenarioYaml } from './isp-topology.generator.js';
export { queueRefuses } from './queue.bound.js';
export { ClusterQueue, NO_BATCHING, batchingRules, withBatching } from './cluster.queue.js';
export { meanArrivalRatePerSec, offeredRatePerSec } from './arrival.rate.js';

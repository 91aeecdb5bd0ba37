import { Logger, type Provider } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { seededRandom } from '@aset/determinism';
import { ModelZoo } from '@aset/model-zoo';
import { DqnAgent } from '@aset/rl';
import { Scenario } from '@aset/scenario';
import { DqnController, PlacementCatalog, agentModeOf, asetAgentsOf, createPolicy, readAsetCheckpoint, type AsetAgents, type AsetCheckpoint, type AsetController } from '@aset/scheduling';
import { ConfigurationError } from '@aset/service-kit';
import type { SchedulerEnv } from './scheduler.config.js';

export const SCHEDULING_POLICY = Symbol('SCHEDULING_POLICY');

/**
 * The agents of the ASET policies, from ASET_CHECKPOINT. With online learning, the controller keeps
 * training the loaded network on live outcomes (epsilon-greedy with ASET_ONLINE_EPSILON).
 */
function loadAgents(config: ConfigService<SchedulerEnv, true>, scenario: Scenario, catalog: PlacementCatalog, policy: string, logger: Logger): AsetAgents | undefined {
  const needed = agentModeOf(policy);
  if (!needed) return undefined;
  const file = config.get('ASET_CHECKPOINT', { infer: true });
  if (!file) throw new ConfigurationError(`SCHEDULER_POLICY=${policy} needs ASET_CHECKPOINT: the path of a checkpoint written by npm run train (e.g. checkpoints/demo.${needed}.json)`);
  let checkpoint: AsetCheckpoint;
  let agents: AsetAgents;
  try {
    checkpoint = readAsetCheckpoint(file);
    agents = asetAgentsOf(checkpoint, file, scenario, catalog, { safetyTiers: config.get('ASET_SAFETY_TIERS', { infer: true }) });
  } catch (e) {
    throw new ConfigurationError(`ASET_CHECKPOINT ${e instanceof Error ? e.message : String(e)}`);
  }
  const agent = agents.aset ?? agents.asetDirect;
  const mode = agents.aset ? 'aset' : 'aset-direct';
  if (mode !== needed) throw new ConfigurationError(`ASET_CHECKPOINT ${file} holds an ${mode} agent, but SCHEDULER_POLICY is ${policy}`);
  if (!config.get('ASET_ONLINE_LEARNING', { infer: true }) || !agent) {
    logger.log(`${policy}: loaded ${file} (greedy)`);
    return agents;
  }
  const loaded = checkpoint.agent;
  const learner = new DqnAgent({ ...loaded.config, epsilon: { kind: 'constant', value: config.get('ASET_ONLINE_EPSILON', { infer: true }) }, warmupSteps: loaded.config.batchSize });
  learner.setParameters(loaded.network.parameters);
  const controller: AsetController = new DqnController(learner);
  logger.warn(`${policy}: loaded ${file} with ONLINE LEARNING on (epsilon ${config.get('ASET_ONLINE_EPSILON', { infer: true })})`);
  return agents.aset ? { aset: { ...agents.aset, controller } } : { asetDirect: { ...(agents.asetDirect as NonNullable<AsetAgents['asetDirect']>), controller } };
}

/** The policy named by SCHEDULER_POLICY, built from the registry over the scenario and zoo. */
export const schedulingPolicyProvider: Provider = {
  provide: SCHEDULING_POLICY,
  inject: [ConfigService, Scenario, ModelZoo],
  useFactory: (config: ConfigService<SchedulerEnv, true>, scenario: Scenario, zoo: ModelZoo) => {
    const logger = new Logger('SchedulingPolicy');
    const unprofiled = [...new Set(scenario.clusters.flatMap((c) => c.variants))].filter((id) => zoo.processingMs(zoo.requireVariant(id)) === undefined);
    if (unprofiled.length > 0) {
      logger.warn(`variants without a latency profile (estimated as 0 ms by latency-aware policies): ${unprofiled.join(', ')}; run npm run zoo:profile`);
    }
    const name = config.get('SCHEDULER_POLICY', { infer: true });
    const catalog = new PlacementCatalog(scenario, zoo);
    const agents = loadAgents(config, scenario, catalog, name, logger);
    return createPolicy(name, { scenario, zoo, catalog, random: seededRandom(config.get('SEED', { infer: true })), ...(agents ? { agents } : {}) });
  },
};

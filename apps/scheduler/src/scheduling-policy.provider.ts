import { Logger, type Provider } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { seededRandom } from '@aset/determinism';
import { ModelZoo } from '@aset/model-zoo';
import { Scenario } from '@aset/scenario';
import { PlacementCatalog, createPolicy } from '@aset/scheduling';
import type { SchedulerEnv } from './scheduler.config.js';

export const SCHEDULING_POLICY = Symbol('SCHEDULING_POLICY');

/** The policy named by SCHEDULER_POLICY, built from the registry over the scenario and zoo. */
export const schedulingPolicyProvider: Provider = {
  provide: SCHEDULING_POLICY,
  inject: [ConfigService, Scenario, ModelZoo],
  useFactory: (config: ConfigService<SchedulerEnv, true>, scenario: Scenario, zoo: ModelZoo) => {
    const unprofiled = [...new Set(scenario.clusters.flatMap((c) => c.variants))].filter((id) => zoo.processingMs(zoo.requireVariant(id)) === undefined);
    if (unprofiled.length > 0) {
      new Logger('SchedulingPolicy').warn(`variants without a latency profile (estimated as 0 ms by latency-aware policies): ${unprofiled.join(', ')}; run npm run zoo:profile`);
    }
    return createPolicy(config.get('SCHEDULER_POLICY', { infer: true }), {
      scenario,
      zoo,
      catalog: new PlacementCatalog(scenario, zoo),
      random: seededRandom(config.get('SEED', { infer: true })),
    });
  },
};

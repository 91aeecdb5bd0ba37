import { Logger, type Provider } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ModelZoo } from '@aset/model-zoo';
import { Scenario } from '@aset/scenario';
import { DeadlineAdmission, PlacementCatalog } from '@aset/scheduling';
import type { SchedulerEnv } from './scheduler.config.js';

export const ADMISSION_RULE = Symbol('ADMISSION_RULE');

/** The admission rule every query passes before the policy decides (ADMISSION=on), or null (off: every query goes to the policy). */
export const admissionProvider: Provider = {
  provide: ADMISSION_RULE,
  inject: [ConfigService, Scenario, ModelZoo],
  useFactory: (config: ConfigService<SchedulerEnv, true>, scenario: Scenario, zoo: ModelZoo): DeadlineAdmission | null => {
    if (!config.get('ADMISSION', { infer: true })) return null;
    new Logger('Admission').log('admission is on: a query no live cluster can answer by its deadline is dropped with DEADLINE_UNREACHABLE');
    return new DeadlineAdmission(new PlacementCatalog(scenario, zoo));
  },
};

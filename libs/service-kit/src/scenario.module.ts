import { Global, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { z } from 'zod';
import { CLOCK, SystemClock } from '@aset/determinism';
import { readZoo, ModelZoo } from '@aset/model-zoo';
import { readScenarioFile, Scenario } from '@aset/scenario';

/** Variables of services that read the scenario and the model zoo. Relative paths start at the working directory. */
export const SCENARIO_ENV = {
  SCENARIO_FILE: z.string().min(1).default('scenarios/demo.yaml').describe('path to a scenario YAML file, e.g. scenarios/demo.yaml'),
  MODELS_MANIFEST: z.string().min(1).default('models/manifest.json').describe('path to the model zoo manifest, e.g. models/manifest.json'),
} as const;

type ScenarioEnv = { SCENARIO_FILE: string; MODELS_MANIFEST: string };

/**
 * Provides the validated {@link ModelZoo} and {@link Scenario} (zoo binding checked) and the
 * {@link SystemClock} under {@link CLOCK}.
 * A bad file stops the service at start with a message naming the file and the path inside it.
 */
@Global()
@Module({
  providers: [
    {
      provide: ModelZoo,
      inject: [ConfigService],
      useFactory: (config: ConfigService<ScenarioEnv, true>) => readZoo(config.get('MODELS_MANIFEST', { infer: true })),
    },
    {
      provide: Scenario,
      inject: [ConfigService, ModelZoo],
      useFactory: (config: ConfigService<ScenarioEnv, true>, zoo: ModelZoo) =>
        readScenarioFile(config.get('SCENARIO_FILE', { infer: true }), { zoo }),
    },
    { provide: CLOCK, useClass: SystemClock },
  ],
  exports: [ModelZoo, Scenario, CLOCK],
})
export class ScenarioModule {}

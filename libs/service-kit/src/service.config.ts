import { ConfigModule } from '@nestjs/config';
import type { DynamicModule } from '@nestjs/common';

/**
 * The global ConfigModule of a service, serving its already validated environment (what the
 * service's `envValidator` returned): `ConfigService.get` reads this object only, never
 * `process.env`, and nothing is validated again.
 */
export function serviceConfigModule(config: object): Promise<DynamicModule> {
  return ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, validatePredefined: false, skipProcessEnv: true, load: [() => ({ ...config })] });
}

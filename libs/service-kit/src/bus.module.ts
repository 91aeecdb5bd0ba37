import { Global, Inject, Injectable, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { MessageBus } from '@aset/messaging';
import type { BaseEnv } from './env.validation.js';

/** Service name used as the NATS connection name. */
export const SERVICE_NAME = Symbol('SERVICE_NAME');

@Injectable()
class BusShutdown implements OnApplicationShutdown {
  constructor(@Inject(MessageBus) private readonly bus: MessageBus) {}

  async onApplicationShutdown(): Promise<void> {
    await this.bus.close();
  }
}

/** Provides the connected {@link MessageBus}; drains it on shutdown. Requires a global ConfigModule. */
@Global()
@Module({})
export class BusModule {
  static forService(name: string) {
    return {
      module: BusModule,
      providers: [
        { provide: SERVICE_NAME, useValue: name },
        {
          provide: MessageBus,
          inject: [ConfigService],
          useFactory: (config: ConfigService<BaseEnv, true>) => {
            const logger = new Logger('MessageBus');
            const identity = config.get('NATS_NKEY_SEED_FILE', { infer: true });
            const caFile = config.get('NATS_TLS_CA', { infer: true });
            const certFile = config.get('NATS_TLS_CERT', { infer: true });
            const keyFile = config.get('NATS_TLS_KEY', { infer: true });
            return MessageBus.connect({
              servers: config.get('NATS_URL', { infer: true }),
              ...(identity ? { identity } : {}),
              ...(caFile ? { tls: { caFile, ...(certFile && keyFile ? { certFile, keyFile } : {}) } } : {}),
              prefix: config.get('NATS_PREFIX', { infer: true }),
              name,
              logger: { log: (m) => logger.log(m), warn: (m) => logger.warn(m), error: (m) => logger.error(m) },
            });
          },
        },
        BusShutdown,
      ],
      exports: [MessageBus, SERVICE_NAME],
    };
  }
}

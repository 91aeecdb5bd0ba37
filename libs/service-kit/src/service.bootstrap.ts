import 'reflect-metadata';
import { ConsoleLogger, type INestApplication, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigurationError, type BaseEnv } from './env.validation.js';

/** Errors that mean "fix your configuration or input files", printed without a stack. */
const CONFIGURATION_ERRORS = new Set([ConfigurationError.name, 'ScenarioError', 'ZooError']);

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** Nest's logger, minus Nest's own stack dump of configuration errors (runService prints those cleanly). */
class ServiceLogger extends ConsoleLogger {
  override error(message: unknown, ...rest: unknown[]): void {
    if (message instanceof Error && CONFIGURATION_ERRORS.has(message.name)) return;
    super.error(message, ...rest);
  }
}

function logLevels(level: string): LogLevel[] {
  const i = LEVELS.indexOf(level as LogLevel);
  return LEVELS.slice(0, i < 0 ? 4 : i + 1);
}

/** Hooks into {@link runService}'s start-up. */
export interface ServiceOptions {
  /** Called once, after the app is created and before it listens. */
  beforeListen?: (app: INestApplication) => void | Promise<void>;
}

/**
 * Starts a service: validates the environment once with `validateEnv` (the service's
 * `envValidator`), builds the root module from the validated config with `loadModule` (imported
 * lazily, after validation; the module serves that config through {@link serviceConfigModule}),
 * listens on HTTP_HOST:HTTP_PORT for /health and /metrics, and prints one `ready` line with the
 * bound port. A configuration error (bad env, scenario or zoo) prints its message and exits with
 * code 78 (EX_CONFIG) without a stack. SIGINT/SIGTERM shut down gracefully (drain NATS, close pools).
 * `options.beforeListen` runs on the initialised-but-not-listening app: the place to mount extra
 * HTTP routes such as OpenAPI docs (`SwaggerModule.setup`).
 */
export async function runService<E extends BaseEnv>(
  name: string,
  validateEnv: (env: Record<string, unknown>) => E,
  loadModule: (config: E) => Promise<unknown>,
  options: ServiceOptions = {},
): Promise<INestApplication> {
  try {
    const config = validateEnv(process.env);
    const logger = new ServiceLogger({ prefix: name, json: config.LOG_FORMAT === 'json', logLevels: logLevels(config.LOG_LEVEL) });
    const rootModule = await loadModule(config);
    const app = await NestFactory.create(rootModule as never, { logger, abortOnError: false });
    // Graceful stop on what orchestrators and terminals send. Not SIGUSR1/SIGUSR2 (Nest's default
    // list has SIGUSR2): Node reserves them for the inspector and `--heapsnapshot-signal`, and a
    // diagnosis must not stop the service.
    app.enableShutdownHooks(['SIGTERM', 'SIGINT', 'SIGHUP']);
    await options.beforeListen?.(app);
    await app.listen(config.HTTP_PORT, config.HTTP_HOST);
    const address = app.getHttpServer().address() as { port: number } | null;
    logger.log(`ready ${JSON.stringify({ service: name, httpPort: address?.port, pid: process.pid })}`);
    return app;
  } catch (e) {
    if (e instanceof Error && CONFIGURATION_ERRORS.has(e.name)) {
      console.error(`${name}: ${e.message}`);
      process.exit(78);
    }
    console.error(`${name}: failed to start: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exit(1);
  }
}

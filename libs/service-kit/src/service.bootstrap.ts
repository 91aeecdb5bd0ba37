import 'reflect-metadata';
import { ConsoleLogger, type INestApplication, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigurationError } from './env.validation.js';

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

function logLevels(level: string | undefined): LogLevel[] {
  const i = LEVELS.indexOf((level ?? 'log') as LogLevel);
  return LEVELS.slice(0, i < 0 ? 4 : i + 1);
}

/** Hooks into {@link runService}'s start-up. */
export interface ServiceOptions {
  /** Called once, after the app is created and before it listens. */
  beforeListen?: (app: INestApplication) => void | Promise<void>;
}

/**
 * Starts a service: creates the Nest app (config is validated while modules load), listens on
 * HTTP_HOST:HTTP_PORT for /health and /metrics, and prints one `ready` line with the bound port.
 * `validateEnv` is the same validator the root module gives ConfigModule; `loadModule` imports the
 * root module lazily, after validation. A configuration error (bad env, scenario or zoo) prints its message and exits with code 78 (EX_CONFIG) without a stack.
 * SIGINT/SIGTERM shut down gracefully (drain NATS, close pools).
 * `options.beforeListen` runs on the initialised-but-not-listening app: the place to mount extra
 * HTTP routes such as OpenAPI docs (`SwaggerModule.setup`).
 */
export async function runService(
  name: string,
  validateEnv: (env: Record<string, unknown>) => unknown,
  loadModule: () => Promise<unknown>,
  options: ServiceOptions = {},
): Promise<INestApplication> {
  const logger = new ServiceLogger({
    prefix: name,
    json: process.env['LOG_FORMAT'] === 'json',
    logLevels: logLevels(process.env['LOG_LEVEL']),
  });
  try {
    // Validated before the module loads: ConfigModule.forRoot validates inside a promise that would
    // otherwise reject unhandled while the module is being defined.
    validateEnv(process.env);
    const rootModule = await loadModule();
    const app = await NestFactory.create(rootModule as never, { logger, abortOnError: false });
    app.enableShutdownHooks();
    await options.beforeListen?.(app);
    const port = Number(process.env['HTTP_PORT'] ?? 0);
    await app.listen(Number.isFinite(port) ? port : 0, process.env['HTTP_HOST'] ?? '127.0.0.1');
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

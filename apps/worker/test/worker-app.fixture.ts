import type { INestApplication } from '@nestjs/common';
import { createServiceApp, useServiceTestEnv } from '@aset/service-kit/testing';

/**
 * Starts the worker in this process under `prefix`, configured by `env` on top of the test
 * environment (useServiceTestEnv), and resolves once it serves. The caller closes the app.
 */
export async function startWorkerApp(prefix: string, env: Record<string, string>): Promise<INestApplication> {
  useServiceTestEnv(prefix, env);
  const { validateWorkerEnv } = await import('../src/worker.config.js');
  const { WorkerModule } = await import('../src/worker.module.js');
  const app = await createServiceApp(validateWorkerEnv, (config) => WorkerModule.forRoot(config));
  await app.init();
  return app;
}

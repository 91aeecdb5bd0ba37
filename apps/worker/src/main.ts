import { runService } from '@aset/service-kit';
import { validateWorkerEnv } from './worker.config.js';

await runService('worker', validateWorkerEnv, async (config) => (await import('./worker.module.js')).WorkerModule.forRoot(config));

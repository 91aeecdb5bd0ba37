import { runService } from '@aset/service-kit';
import { validateSchedulerEnv } from './scheduler.config.js';

await runService('scheduler', validateSchedulerEnv, async (config) => (await import('./scheduler.module.js')).SchedulerModule.forRoot(config));

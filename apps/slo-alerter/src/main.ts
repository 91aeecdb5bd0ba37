import { runService } from '@aset/service-kit';
import { validateSloAlerterEnv } from './slo-alerter.config.js';

await runService('slo-alerter', validateSloAlerterEnv, async (config) => (await import('./slo-alerter.module.js')).SloAlerterModule.forRoot(config));

import { runService } from '@aset/service-kit';
import { validateMetricsStoreEnv } from './metrics-store.config.js';

await runService('metrics-store', validateMetricsStoreEnv, async () => (await import('./metrics-store.module.js')).MetricsStoreModule);

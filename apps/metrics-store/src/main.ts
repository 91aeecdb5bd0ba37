import { runService } from '@aset/service-kit';
import { validateMetricsStoreEnv } from './metrics-store.config.js';
import { setUpReportsHttp } from './api/reports-http.setup.js';

await runService('metrics-store', validateMetricsStoreEnv, async (config) => (await import('./metrics-store.module.js')).MetricsStoreModule.forRoot(config), {
  beforeListen: (app) => setUpReportsHttp(app),
});

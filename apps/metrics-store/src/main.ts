import { runService } from '@aset/service-kit';
import { validateMetricsStoreEnv } from './metrics-store.config.js';
import { serveOpenApiDocs } from './reports/openapi.docs.js';

await runService('metrics-store', validateMetricsStoreEnv, async () => (await import('./metrics-store.module.js')).MetricsStoreModule, {
  beforeListen: (app) => void serveOpenApiDocs(app),
});

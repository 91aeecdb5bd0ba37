import type { INestApplication } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { MetricsStoreEnv } from '../metrics-store.config.js';
import { serveOpenApiDocs } from './openapi.docs.js';
import { bearerTokenMiddleware } from './reports-token.middleware.js';

/**
 * The metrics store's HTTP surface beyond its controllers: with REPORTS_TOKEN set, the bearer-token
 * check in front of every route but /health, /metrics and the dashboard page; then the OpenAPI docs
 * (behind that check). Call once on the created app before it initialises or listens
 * (runService's `beforeListen`), so that the check precedes every route.
 */
export function setUpReportsHttp(app: INestApplication): void {
  const token = app.get(ConfigService<MetricsStoreEnv, true>).get('REPORTS_TOKEN', { infer: true });
  if (token) app.use(bearerTokenMiddleware(token));
  serveOpenApiDocs(app, { bearer: token !== undefined });
}

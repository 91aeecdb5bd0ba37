import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { ReportsApiModule } from './reports-api.module.js';

/** Where Swagger UI is served; the document is at `/<path>-json` and `/<path>-yaml`. */
export const OPENAPI_PATH = 'docs';

/**
 * Describes the reports API (ReportsApiModule's routes) and serves its OpenAPI document
 * (`/docs-json`, `/docs-yaml`) and Swagger UI (`/docs`) on `app`. Call it once, after the app is
 * created and before it listens (runService's `beforeListen`). Requires the Express platform.
 * `bearer`: the routes need `Authorization: Bearer <REPORTS_TOKEN>` (the document says so).
 */
export function serveOpenApiDocs(app: INestApplication, options: { bearer?: boolean } = {}): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle('ASET metrics store')
    .setDescription(
      'Reports over the runs the metrics store ingested, computed in SQL over measured (non-warm-up) queries. ' +
        'Timestamps are ISO 8601 (UTC); durations are in ms; ratios are in [0, 1]. ' +
        'SQL over the same tables and views: docs/reporting.md.',
    )
    .setVersion('1');
  if (options.bearer) builder.addBearerAuth({ type: 'http', scheme: 'bearer', description: 'REPORTS_TOKEN' }).addSecurityRequirements('bearer');
  const config = builder.build();
  const document = SwaggerModule.createDocument(app, config, { include: [ReportsApiModule] });
  SwaggerModule.setup(OPENAPI_PATH, app, document);
  return document;
}

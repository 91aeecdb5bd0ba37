import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FIGURE_SCRIPTS } from '../dashboard/figure-scripts.asset.js';

/**
 * Paths served without the token: liveness and Prometheus scrapes (`/health`, `/metrics`: probes and
 * scrapers send no token, and they expose no run data), the dashboard's page shell (static HTML
 * without data; its script asks for the token and sends it on every data request) and the figure
 * scripts that page loads (published packages' browser builds).
 */
export const OPEN_PATHS: readonly string[] = ['/health', '/metrics', '/dashboard', '/dashboard/', ...FIGURE_SCRIPTS.map((s) => `/dashboard/assets/${s.name}`)];

/**
 * Connect/Express middleware that answers 401 (`WWW-Authenticate: Bearer`) to every request for a
 * path outside {@link OPEN_PATHS} unless it carries `Authorization: Bearer <token>`: the reports
 * API, the dashboard's data and the OpenAPI docs, and any route added later. The comparison takes
 * the same time whatever the given token (both sides are hashed first, then compared in constant time).
 * Install it before any route (before `serveOpenApiDocs` and before the app initialises).
 */
export function bearerTokenMiddleware(token: string): (req: IncomingMessage, res: ServerResponse, next: () => void) => void {
  const expected = digest(token);
  return (req, res, next) => {
    // The raw path, not normalized: `/runs/../health` is not an open path (whatever the router makes of it).
    const path = (req.url ?? '/').split('?')[0] as string;
    if (OPEN_PATHS.includes(path)) return next();
    const header = req.headers.authorization;
    const given = /^Bearer[ ]+(\S+)\s*$/i.exec(header ?? '')?.[1];
    if (given !== undefined && timingSafeEqual(digest(given), expected)) return next();
    const message = header === undefined ? 'this route needs Authorization: Bearer <REPORTS_TOKEN>' : 'the bearer token is not the reports token';
    res.statusCode = 401;
    res.setHeader('WWW-Authenticate', header === undefined ? 'Bearer realm="aset-reports"' : 'Bearer realm="aset-reports", error="invalid_token"');
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    res.end(JSON.stringify({ statusCode: 401, error: 'Unauthorized', message }));
  };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

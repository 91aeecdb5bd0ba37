import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '@aset/testbed';

/** Variable names a config schema declares (`NAME: <schema>` at the start of a line), from its source. */
function declaredVariables(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(/^\s+([A-Z][A-Z0-9_]+):\s*[A-Za-z]/gm)].map((m) => m[1] as string);
}

describe("README's configuration table", () => {
  it('lists every variable every service validates', () => {
    const files = [
      ...readdirSync(join(REPO_ROOT, 'apps')).flatMap((app) =>
        readdirSync(join(REPO_ROOT, 'apps', app, 'src'))
          .filter((f) => f.endsWith('.config.ts'))
          .map((f) => join(REPO_ROOT, 'apps', app, 'src', f)),
      ),
      join(REPO_ROOT, 'libs', 'service-kit', 'src', 'env.validation.ts'),
    ];
    const declared = new Set(files.flatMap(declaredVariables));
    // The parse above must find the shared ones and each app's own, or this test checks nothing.
    for (const known of ['NATS_URL', 'SCHEDULER_POLICY', 'CLUSTER_ID', 'DATABASE_URL', 'RUN_ID', 'SLO_WINDOW', 'EMULATE_NETWORK']) expect(declared).toContain(known);
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('### Configuration'), readme.indexOf('### Reports in PostgreSQL'));
    expect([...declared].filter((v) => !table.includes(`\`${v}\``))).toEqual([]);
  });
});

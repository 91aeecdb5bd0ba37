import { join } from 'node:path';
import { REPO_ROOT } from '@aset/command-line';

/** Compiled entry point of an app (build it first: `nx run-many -t build`). */
export function appEntry(app: 'scheduler' | 'worker' | 'workload-generator' | 'metrics-store'): string {
  return join(REPO_ROOT, 'apps', app, 'dist', 'main.js');
}

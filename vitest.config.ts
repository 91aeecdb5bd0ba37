import { defineConfig } from 'vitest/config';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';

// One test runner for the whole repo: one vitest project per Nx project, with the Nx project's name.
// Workspace packages resolve to their TypeScript source (`@aset/source` export condition), so tests need no build
// (but tests that spawn services run their compiled entry points: `npm test` builds first).
const roots = ['libs', 'apps', 'tools'].flatMap((dir) =>
  readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(`${dir}/${d.name}/project.json`))
    .map((d) => `${dir}/${d.name}`),
);

const conditions = ['@aset/source'];

export default defineConfig({
  test: {
    // Once per vitest run (not per project): provides NATS and PostgreSQL to every test.
    globalSetup: [resolve(import.meta.dirname, 'tools/testbed/test/global.setup.ts')],
    projects: roots.flatMap((root) => {
      const name = (JSON.parse(readFileSync(`${root}/project.json`, 'utf8')) as { name: string }).name;
      const project = (projectName: string, include: string[], exclude: string[], groupOrder: number) => ({
        resolve: { conditions },
        ssr: { resolve: { conditions, externalConditions: conditions } },
        test: { name: projectName, root, include, exclude, testTimeout: 30_000, hookTimeout: 120_000, sequence: { groupOrder }, ...(groupOrder > 0 ? { fileParallelism: false } : {}) },
      });
      // `*.solo.spec.ts` files judge a live system against a live baseline (success ratios of two
      // runs), which other specs loading the host would skew: they run after every other file, one
      // at a time, in the project `<name>/solo`.
      const solo = existsSync(`${root}/test`) && readdirSync(`${root}/test`).some((f) => f.endsWith('.solo.spec.ts'));
      return [
        project(name, ['src/**/*.spec.ts', 'test/**/*.spec.ts'], ['**/*.solo.spec.ts', '**/node_modules/**'], 0),
        ...(solo ? [project(`${name}/solo`, ['test/**/*.solo.spec.ts'], ['**/node_modules/**'], 1)] : []),
      ];
    }),
  },
});

import { defineConfig } from 'vitest/config';
import { readdirSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';

// One test runner for the whole repo: one vitest project per Nx project, named like it.
// Workspace packages resolve to their TypeScript source (`@aset/source` export condition), so tests need no build.
const roots = ['libs', 'apps', 'tools'].flatMap((dir) =>
  readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(`${dir}/${d.name}/project.json`))
    .map((d) => `${dir}/${d.name}`),
);

export default defineConfig({
  resolve: { conditions: ['@aset/source'] },
  ssr: { resolve: { conditions: ['@aset/source'], externalConditions: ['@aset/source'] } },
  test: {
    globalSetup: [resolve(import.meta.dirname, 'tools/testbed/test/global.setup.ts')],
    projects: roots.map((root) => ({
      extends: true,
      test: {
        name: root.split('/')[1],
        root,
        include: ['src/**/*.spec.ts', 'test/**/*.spec.ts'],
        testTimeout: 30_000,
        hookTimeout: 120_000,
      },
    })),
  },
});

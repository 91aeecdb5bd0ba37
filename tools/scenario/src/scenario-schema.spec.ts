import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SCENARIO_SCHEMA_FILE, SCENARIO_SCHEMA_ID, scenarioJsonSchema, scenarioJsonSchemaText } from './scenario-schema.export.js';

describe('scenarios/scenario.schema.json', () => {
  it('is what the exporter generates from the zod schema now (regenerate with `npm run scenario:schema`)', () => {
    const committed = readFileSync(SCENARIO_SCHEMA_FILE, 'utf8');
    expect(committed).toBe(scenarioJsonSchemaText());
  });

  it('describes the input form: identity, every top-level section, defaults optional', () => {
    const schema = scenarioJsonSchema() as { $id: string; title: string; properties: Record<string, unknown>; required: string[] };
    expect(schema.$id).toBe(SCENARIO_SCHEMA_ID);
    expect(schema.title).toBe('ASET scenario');
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(['schemaVersion', 'name', 'hardwareClasses', 'clusters', 'sources', 'links', 'linkMatrix', 'applications', 'workload']),
    );
    expect(schema.required).toEqual(expect.arrayContaining(['schemaVersion', 'name', 'clusters', 'workload']));
    expect(schema.required).not.toContain('links'); // defaults to [] when linkMatrix is given
  });
});

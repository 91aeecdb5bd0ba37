import { writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { inRepository } from '@aset/command-line';
import { REPO_ROOT, SCENARIO_SCHEMA_FILE, scenarioJsonSchemaText } from './scenario-schema.export.js';

const program = new Command('scenario:schema')
  .description('Write the JSON Schema of scenario files (from the zod schema) for editors: scenarios/scenario.schema.json.')
  .addOption(inRepository(new Option('--out <file>', 'where to write it'), relative(REPO_ROOT, SCENARIO_SCHEMA_FILE)))
  .parse();

const opts = program.opts<{ out: string }>();

try {
  const out = resolve(opts.out);
  const text = scenarioJsonSchemaText();
  writeFileSync(out, text);
  console.log(`wrote ${relative(REPO_ROOT, out) || out} (${text.length} bytes)`);
} catch (e) {
  console.error(`scenario:schema failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}

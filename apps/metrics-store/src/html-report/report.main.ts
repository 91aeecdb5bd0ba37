import { relative } from 'node:path';
import { CommanderError } from 'commander';
import { reportMain } from './report.command.js';

// `npm run report -- --runs <id1,id2,...> [--out file.html]`. Errors are about inputs and the
// environment and name what to fix: printed without a stack, exit code 1 (commander prints its own).
try {
  const { file, runIds } = await reportMain(process.argv.slice(2), process.env);
  const shown = relative(process.cwd(), file);
  console.log(`report: wrote ${shown && !shown.startsWith('..') ? shown : file} comparing ${runIds.join(', ')}`);
} catch (e) {
  if (e instanceof CommanderError) process.exit(e.exitCode);
  console.error(`report failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}

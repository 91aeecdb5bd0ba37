/**
 * `npm run -s results:figures`: renders every committed figure (docs/results/*.svg and each
 * checkpoint's learning curve) from the data beside it, with the current figure code, and writes
 * those that changed. `--check` writes nothing and exits 1 when one is stale or missing.
 */
import { Command } from 'commander';
import { runCommand } from '@aset/command-line';
import { regenerateFigures } from './results.figures.js';

const program = new Command('results:figures')
  .description('Render every committed figure (docs/results/*.svg, checkpoints/**/*.curve.svg) from its data with the current figure code; write those that changed.')
  .option('--check', 'write nothing; exit 1 when a figure is stale or missing')
  .option('--json', 'print one JSON line: {figures: [{file, from, status}], stale}')
  .addHelpText('after', '\nThe data: docs/results/<suite>.json (written by `npm run experiment`) and checkpoints/**/<name>.curve.json (written by `npm run train`).');

program.parse();
const o = program.opts<{ check?: boolean; json?: boolean }>();

await runCommand('results:figures', async () => {
  const figures = await regenerateFigures({ write: !o.check });
  const stale = figures.filter((f) => f.status !== 'current');
  if (o.json) console.log(JSON.stringify({ figures, stale: stale.length }));
  else {
    for (const f of figures) console.log(`${f.status === 'current' ? 'current' : o.check ? f.status : 'written'}  ${f.file}  (from ${f.from})`);
    console.log(o.check ? `${stale.length} of ${figures.length} figures stale or missing` : `${stale.length} of ${figures.length} figures written`);
  }
  if (o.check && stale.length > 0) process.exitCode = 1;
});

import { runService } from '@aset/service-kit';
import { validateGeneratorEnv } from './generator.config.js';
import { WorkloadRun } from './workload.run.js';
import { printRunReport } from './run-report.printer.js';

// One run per process: serve /health and /metrics while it lasts, print the summary, exit.
const app = await runService('workload-generator', validateGeneratorEnv, async (config) => (await import('./generator.module.js')).GeneratorModule.forRoot(config));
let exitCode = 0;
try {
  const report = await app.get(WorkloadRun).execute();
  printRunReport(report);
  if (report.recordsLost > 0) exitCode = 1;
} catch (e) {
  console.error(`workload-generator: run failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  exitCode = 1;
}
await app.close();
process.exit(exitCode);

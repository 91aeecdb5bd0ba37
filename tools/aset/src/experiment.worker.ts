import { parentPort, workerData } from 'node:worker_threads';
import { ExperimentJobRunner, type ExperimentJob } from './experiment.job.js';

/**
 * A thread of the experiment's pool: receives jobs, answers `{ ok: true, result }` or
 * `{ ok: false, id, message }` per job, in order. `workerData.manifest` is the zoo manifest.
 */
const port = parentPort;
if (!port) throw new Error('experiment.worker must run in a worker thread');
const runner = new ExperimentJobRunner((workerData as { manifest: string }).manifest);
port.on('message', (job: ExperimentJob) => {
  runner.run(job).then(
    (result) => port.postMessage({ ok: true, result }),
    (e: unknown) => port.postMessage({ ok: false, id: job.id, message: e instanceof Error ? e.message : String(e) }),
  );
});

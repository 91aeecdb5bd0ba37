import { parentPort, workerData } from 'node:worker_threads';
import { loadInputs } from '@aset/command-line';
import { collectEpisode, type ActorRequest, type ActorSetup } from '@aset/training';

/**
 * A thread of the training run's actor pool (experience.pool.ts): loads the scenario and zoo once,
 * then answers each ActorRequest with `{ ok: true, batch }` (its arrays transferred) or
 * `{ ok: false, episode, message }`.
 */
const port = parentPort;
if (!port) throw new Error('experience.worker must run in a worker thread');
const { setup, scenario: scenarioArg, manifest } = workerData as { setup: ActorSetup; scenario: string; manifest: string };
const { scenario, zoo } = loadInputs(scenarioArg, manifest);
port.on('message', (request: ActorRequest) => {
  try {
    const batch = collectEpisode(setup, scenario, zoo, request);
    const buffers = [batch.states, batch.nextStates, batch.actions, batch.rewards, batch.dones, ...(batch.nextMasks ? [batch.nextMasks] : [])].map((a) => a.buffer as ArrayBuffer);
    port.postMessage({ ok: true, batch }, buffers);
  } catch (e) {
    port.postMessage({ ok: false, episode: request.episode, message: e instanceof Error ? e.message : String(e) });
  }
});

import { Worker } from 'node:worker_threads';
import type { ActorRequest, ActorSetup, ExperienceBatch, ExperienceCollector } from '@aset/training';

/**
 * Runs a training round's episodes on `threads` worker threads (experience.worker.ts), each of
 * which loads `scenario` (a name under scenarios/ or a file) and the zoo once. Answers in request
 * order, so the learner sees the same transitions in the same order as with the in-process
 * collector: the checkpoint does not depend on the thread count. Rejects with the episode's error
 * when one fails. `close` must be called to let the process exit.
 */
export class WorkerExperienceCollector implements ExperienceCollector {
  private readonly workers: Worker[];

  constructor(setup: ActorSetup, scenario: string, manifest: string, threads: number) {
    if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`threads must be a positive integer, got ${threads}`);
    this.workers = Array.from({ length: threads }, () => new Worker(new URL('./experience.worker.js', import.meta.url), { workerData: { setup, scenario, manifest } }));
  }

  collect(requests: readonly ActorRequest[]): Promise<ExperienceBatch[]> {
    const results = new Array<ExperienceBatch | undefined>(requests.length);
    let next = 0;
    let done = 0;
    return new Promise((resolve, reject) => {
      let failed = false;
      const cleanups: (() => void)[] = [];
      const finish = (error?: Error) => {
        for (const c of cleanups) c();
        if (error) reject(error);
        else resolve(results as ExperienceBatch[]);
      };
      const feed = (w: Worker) => {
        if (next < requests.length) w.postMessage(requests[next++]);
      };
      for (const w of this.workers) {
        const onMessage = (m: { ok: true; batch: ExperienceBatch } | { ok: false; episode: number; message: string }) => {
          if (failed) return;
          if (!m.ok) {
            failed = true;
            finish(new Error(`training episode ${m.episode}: ${m.message}`));
            return;
          }
          results[requests.findIndex((r) => r.episode === m.batch.episode)] = m.batch;
          if (++done === requests.length) finish();
          else feed(w);
        };
        const onError = (e: Error) => {
          if (failed) return;
          failed = true;
          finish(e);
        };
        w.on('message', onMessage);
        w.on('error', onError);
        cleanups.push(() => {
          w.off('message', onMessage);
          w.off('error', onError);
        });
        feed(w);
      }
      if (requests.length === 0) finish();
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

import { MAX_INFERENCE_THREADS } from '@aset/inference';
import type { ModelZoo } from '@aset/model-zoo';
import type { ClusterSpec } from '@aset/scenario';

/**
 * The profiled batch-1 time (ms, `zoo:profile`'s figure) from which `auto` runs a variant on
 * inference threads. A thread hand-off costs the worker about 150-250 µs of CPU a batch
 * (docs/performance.md); it pays for itself only when the run it moves off the event loop is much
 * longer. On the 2-core development host, 2026-12-08, one slot: cluttered-cnn-m (profiled 0.97 ms)
 * served 1.07x on a thread, cluttered-cnn-s (0.22 ms) 0.89x and cluttered-cnn-xs (0.11 ms) 0.80x.
 */
export const THREADED_FROM_MS = 0.5;

/** INFERENCE_THREAD_POOL: `auto`, or a number of threads (0: every model on the event loop). */
export type ThreadPoolSetting = 'auto' | number;

/** Where a worker's sessions run. */
export interface InferenceThreadsPlan {
  /** Inference threads to start; 0 starts none. */
  readonly size: number;
  /** The variants whose sessions run on those threads; every other hosted variant runs on the event loop. */
  readonly threaded: ReadonlySet<string>;
  /** One line saying what was decided and why, for the worker's log. */
  readonly summary: string;
}

/**
 * Decides where the hosted variants' sessions run.
 * - A number `n`: every variant on `n` threads (none when `n` is 0), as configured.
 * - `auto`: the variants profiled at {@link THREADED_FROM_MS} or more at batch 1 run on threads, as
 *   many as the largest cluster hosting one has slots, at most `cores` (a thread beyond the cores
 *   only waits for one); the others, and unprofiled ones, on the event loop. With fewer than 2
 *   cores, or no such variant, everything runs on the event loop: a thread then has no core of
 *   its own to gain.
 * `cores` is what the process can keep busy (`usableCores` in cpu-quota.reader.ts: its CPUs, capped by its cgroup's CPU quota).
 */
export function planInferenceThreads(setting: ThreadPoolSetting, clusters: readonly ClusterSpec[], zoo: ModelZoo, cores: number): InferenceThreadsPlan {
  const hosted = [...new Set(clusters.flatMap((c) => c.variants))];
  if (setting !== 'auto') {
    return setting > 0
      ? { size: setting, threaded: new Set(hosted), summary: `every model on ${setting} inference thread(s) (INFERENCE_THREAD_POOL=${setting})` }
      : { size: 0, threaded: new Set(), summary: 'every model on the event loop (INFERENCE_THREAD_POOL=0)' };
  }
  const long = new Set(hosted.filter((id) => (zoo.processingMs(zoo.requireVariant(id), '1') ?? 0) >= THREADED_FROM_MS));
  const rule = `INFERENCE_THREAD_POOL=auto: models profiled at ${THREADED_FROM_MS} ms or more at batch 1 run on threads when a second core is free`;
  if (long.size === 0) return { size: 0, threaded: new Set(), summary: `every model on the event loop (${rule}; none is)` };
  if (cores < 2) return { size: 0, threaded: new Set(), summary: `every model on the event loop (${rule}; this process has ${cores} core)` };
  const slots = Math.max(...clusters.filter((c) => c.variants.some((id) => long.has(id))).map((c) => c.slots));
  const size = Math.min(slots, cores, MAX_INFERENCE_THREADS);
  const onLoop = hosted.filter((id) => !long.has(id));
  return {
    size,
    threaded: long,
    summary: `${[...long].join(', ')} on ${size} inference thread(s)${onLoop.length > 0 ? `, ${onLoop.join(', ')} on the event loop` : ''} (${rule}; ${cores} cores)`,
  };
}

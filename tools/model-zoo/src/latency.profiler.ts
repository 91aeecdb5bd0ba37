import { hostname, cpus } from 'node:os';
import type { OnnxModelRunner } from '@aset/inference';
import { BATCH_SIZES, type HeldOutSet, type LatencyProfile } from '@aset/model-zoo';
import { percentile } from '@aset/workload';

export interface ProfileOptions {
  /** Timed runs per batch size (after warm-up). */
  iterations: number;
  warmup: number;
  threads: number;
}

/** A label for the profiling host: CPU model and hostname. */
export function hostLabel(): string {
  return `${cpus()[0]?.model.trim() ?? 'unknown CPU'} (${hostname()})`;
}

/**
 * Median latency of one variant per batch size, on real held-out inputs (cycled), ms per batch.
 * `tick` is called once per timed run, for progress.
 */
export async function profileVariant(runner: OnnxModelRunner, held: HeldOutSet, options: ProfileOptions, tick: () => void): Promise<LatencyProfile> {
  const batchMs: Record<(typeof BATCH_SIZES)[number], number> = { '1': 0, '2': 0, '4': 0, '8': 0 };
  for (const size of BATCH_SIZES) {
    const batch = Number(size);
    const inputs = Array.from({ length: 8 }, (_, k) => {
      const start = ((k * batch) % Math.max(1, held.count - batch)) * held.sampleSize;
      return held.inputs.slice(start, start + batch * held.sampleSize);
    });
    for (let i = 0; i < options.warmup; i++) await runner.run(inputs[i % inputs.length] as Float32Array, batch);
    const times = new Float64Array(options.iterations);
    for (let i = 0; i < options.iterations; i++) {
      const input = inputs[i % inputs.length] as Float32Array;
      const t0 = performance.now();
      await runner.run(input, batch);
      times[i] = performance.now() - t0;
      tick();
    }
    times.sort();
    batchMs[size] = Number(percentile(times, 0.5).toFixed(4));
  }
  return { host: hostLabel(), profiledAt: new Date().toISOString(), threads: options.threads, batchMs };
}

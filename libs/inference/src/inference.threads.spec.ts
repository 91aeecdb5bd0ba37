import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { ModelZoo, loadHeldOut, readZoo } from '@aset/model-zoo';
import { REPO_MANIFEST } from '@aset/model-zoo/testing';
import { InferenceThreads } from './inference.threads.js';
import { OnnxModelRunner } from './onnx-model.runner.js';

// The threads run the lib's compiled thread script: `npm test` builds first.
const zoo = readZoo(REPO_MANIFEST);

describe('InferenceThreads', () => {
  const pool = InferenceThreads.start(2);
  afterAll(() => pool.close());

  it.each([['digits-mlp-s'], ['cluttered-cnn-s']])('%s on the threads gives the scores of the in-process session, at every batch size', async (id) => {
    const variant = zoo.requireVariant(id);
    const local = await OnnxModelRunner.load(zoo, variant);
    const threaded = await OnnxModelRunner.load(zoo, variant, { pool });
    const held = loadHeldOut(zoo, variant.task);
    const n = Math.min(held.count, 64);
    for (const batch of [1, 3, n]) {
      const input = held.inputs.slice(0, batch * threaded.sampleSize);
      const [a, b] = await Promise.all([local.run(input, batch), threaded.run(input, batch)]);
      expect(Array.from(b.predictions)).toEqual(Array.from(a.predictions));
      expect(Array.from(b.scores)).toEqual(Array.from(a.scores));
    }
    const { predictions } = await threaded.run(held.inputs, held.count);
    const correct = predictions.reduce((k, p, i) => k + (p === held.labels[i] ? 1 : 0), 0);
    expect(correct / held.count).toBeCloseTo(variant.accuracy, 2);
    await local.release();
    await threaded.release();
  });

  it('keeps the event loop free while batches run', async () => {
    const variant = zoo.requireVariant('cluttered-cnn-l');
    const runner = await OnnxModelRunner.load(zoo, variant, { pool });
    const held = loadHeldOut(zoo, variant.task);
    const batch = Math.min(held.count, 32);
    const input = held.inputs.slice(0, batch * runner.sampleSize);
    let turns = 0;
    let spinning = true;
    const spin = () => {
      turns++;
      if (spinning) setImmediate(spin);
    };
    setImmediate(spin);
    const [a, b] = await Promise.all([runner.run(input, batch), runner.run(input, batch)]);
    spinning = false;
    expect(Array.from(a.predictions)).toEqual(Array.from(b.predictions));
    // In-process, each batch is one synchronous native call: the loop would turn a few times at most.
    expect(turns).toBeGreaterThan(20);
    await runner.release();
  });

  it('fails the runs of a thread that dies, naming it, and serves later runs from its replacement', async () => {
    const own = InferenceThreads.start(1);
    try {
      const runner = await OnnxModelRunner.load(zoo, zoo.requireVariant('cluttered-cnn-m'), { pool: own });
      const held = loadHeldOut(zoo, runner.variant.task);
      const input = held.inputs.slice(0, 16 * runner.sampleSize);
      const expected = await runner.run(input, 16);
      const running = runner.run(input, 16);
      // The pool's one thread, killed from outside while it holds the run.
      const thread = (own as unknown as { threads: { worker: Worker }[] }).threads[0]!.worker;
      await thread.terminate();
      await expect(running).rejects.toThrow(/inference thread 0 stopped \(exit code 1\)/);
      const again = await runner.run(input, 16);
      expect(Array.from(again.predictions)).toEqual(Array.from(expected.predictions));
    } finally {
      await own.close();
    }
  });

  it('refuses a model whose signature does not match its task, and runs nothing once closed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aset-zoo-'));
    const manifest = structuredClone(zoo.manifest);
    const v = zoo.requireVariant('digits-mlp-s');
    copyFileSync(zoo.filePath(v), join(dir, v.file));
    manifest.tasks['digits']!.inputShape = [1, 16, 16];
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
    const altered = ModelZoo.fromManifest(manifest, dir);
    await expect(OnnxModelRunner.load(altered, altered.requireVariant('digits-mlp-s'), { pool })).rejects.toThrow(/wrong input shape \[batch,1,8,8\]/);

    const own = InferenceThreads.start(1);
    const runner = await OnnxModelRunner.load(zoo, v, { pool: own });
    await own.close();
    await expect(runner.run(new Float32Array(64), 1)).rejects.toThrow(/inference threads are closed/);
    expect(() => InferenceThreads.start(0)).toThrow(/expected an integer 1-64, got 0/);
  });
});

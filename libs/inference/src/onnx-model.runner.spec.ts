import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ModelZoo, ZooError, loadHeldOut, readZoo, type Manifest } from '@aset/model-zoo';
import { REPO_MANIFEST } from '@aset/model-zoo/testing';
import { OnnxModelRunner } from './onnx-model.runner.js';

const zoo = readZoo(REPO_MANIFEST);

/** A zoo in a temp folder holding a copy of one variant, with the manifest altered by `edit`. */
function alteredZoo(variantId: string, edit: (m: Manifest) => void): ModelZoo {
  const dir = mkdtempSync(join(tmpdir(), 'aset-zoo-'));
  const manifest = structuredClone(zoo.manifest);
  const v = zoo.requireVariant(variantId);
  copyFileSync(zoo.filePath(v), join(dir, v.file));
  edit(manifest);
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  return ModelZoo.fromManifest(manifest, dir);
}

describe('OnnxModelRunner', () => {
  it.each(zoo.variants.map((v) => [v.id]))('%s reproduces its manifest accuracy on the held-out set', async (id) => {
    const variant = zoo.requireVariant(id);
    const runner = await OnnxModelRunner.load(zoo, variant);
    const held = loadHeldOut(zoo, variant.task);
    const { predictions } = await runner.run(held.inputs, held.count);
    const correct = predictions.reduce((n, p, i) => n + (p === held.labels[i] ? 1 : 0), 0);
    expect(correct / held.count).toBeCloseTo(variant.accuracy, 2);
    await runner.release();
  });

  it('refuses a batch whose length does not match', async () => {
    const runner = await OnnxModelRunner.load(zoo, zoo.requireVariant('digits-mlp-s'));
    await expect(runner.run(new Float32Array(10), 1)).rejects.toThrow(/expected 64 floats for batch 1, got 10/);
  });

  it('names a missing model file', async () => {
    const z = alteredZoo('digits-mlp-s', (m) => {
      const v = m.variants.find((x) => x.id === 'digits-mlp-s')!;
      v.file = 'nope.onnx';
    });
    await expect(OnnxModelRunner.load(z, z.requireVariant('digits-mlp-s'))).rejects.toThrow(/variant digits-mlp-s: model file .*nope\.onnx is missing/);
  });

  it('names a sha256 mismatch', async () => {
    const z = alteredZoo('digits-mlp-s', (m) => {
      m.variants.find((x) => x.id === 'digits-mlp-s')!.sha256 = '0'.repeat(64);
    });
    await expect(OnnxModelRunner.load(z, z.requireVariant('digits-mlp-s'))).rejects.toThrow(ZooError);
    await expect(OnnxModelRunner.load(z, z.requireVariant('digits-mlp-s'))).rejects.toThrow(/sha256 mismatch/);
  });

  it('names a wrong input shape', async () => {
    const z = alteredZoo('digits-mlp-s', (m) => {
      m.tasks['digits']!.inputShape = [1, 16, 16];
    });
    await expect(OnnxModelRunner.load(z, z.requireVariant('digits-mlp-s'))).rejects.toThrow(
      /wrong input shape \[batch,1,8,8\]; task digits expects \[batch,1,16,16\]/,
    );
  });
});

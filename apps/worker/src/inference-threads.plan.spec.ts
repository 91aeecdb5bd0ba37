import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readZoo } from '@aset/model-zoo';
import { REPO_MANIFEST } from '@aset/model-zoo/testing';
import type { ClusterSpec } from '@aset/scenario';
import { THREADED_FROM_MS, planInferenceThreads } from './inference-threads.plan.js';

const zoo = readZoo(REPO_MANIFEST);
const cluster = (id: string, slots: number, variants: string[]): ClusterSpec => ({ id, tier: 'cloud', hardware: 'datacenter', slots, variants });
const profiled = (id: string) => zoo.processingMs(zoo.requireVariant(id), '1') as number;

describe('planInferenceThreads', () => {
  it('rests on the committed profiles: cluttered-cnn-m and -l take longer than the bound at batch 1, the others less', () => {
    for (const id of ['cluttered-cnn-m', 'cluttered-cnn-l']) expect(profiled(id)).toBeGreaterThanOrEqual(THREADED_FROM_MS);
    for (const id of ['digits-linear-xs', 'digits-mlp-s', 'digits-cnn-m', 'cluttered-cnn-xs', 'cluttered-cnn-s']) expect(profiled(id)).toBeLessThan(THREADED_FROM_MS);
  });

  it('runs every model where a number says: on that many threads, or on the event loop for 0', () => {
    const clusters = [cluster('a', 1, ['digits-mlp-s']), cluster('b', 4, ['cluttered-cnn-m', 'digits-mlp-s'])];
    const three = planInferenceThreads(3, clusters, zoo, 2);
    expect(three.size).toBe(3);
    expect([...three.threaded].sort()).toEqual(['cluttered-cnn-m', 'digits-mlp-s']);
    const none = planInferenceThreads(0, clusters, zoo, 8);
    expect(none.size).toBe(0);
    expect(none.threaded.size).toBe(0);
    expect(none.summary).toMatch(/event loop \(INFERENCE_THREAD_POOL=0\)/);
  });

  it('auto: the long models on threads, one per slot of the largest cluster hosting one, at most the cores; the short ones on the event loop', () => {
    const clusters = [cluster('small', 1, ['cluttered-cnn-m', 'digits-mlp-s']), cluster('big', 8, ['digits-mlp-s', 'cluttered-cnn-s']), cluster('mid', 3, ['cluttered-cnn-l'])];
    const two = planInferenceThreads('auto', clusters, zoo, 2);
    expect(two.size).toBe(2);
    expect([...two.threaded].sort()).toEqual(['cluttered-cnn-l', 'cluttered-cnn-m']);
    expect(two.summary).toMatch(/cluttered-cnn-m, cluttered-cnn-l on 2 inference thread\(s\), digits-mlp-s, cluttered-cnn-s on the event loop/);
    // The 8-slot cluster hosts no long model: the 3 slots of `mid` bound the threads.
    expect(planInferenceThreads('auto', clusters, zoo, 16).size).toBe(3);
    expect(planInferenceThreads('auto', [cluster('one', 1, ['cluttered-cnn-m'])], zoo, 16).size).toBe(1);
  });

  it('auto: everything on the event loop with one core, or when no hosted model is long', () => {
    const one = planInferenceThreads('auto', [cluster('a', 4, ['cluttered-cnn-m'])], zoo, 1);
    expect(one).toMatchObject({ size: 0 });
    expect(one.threaded.size).toBe(0);
    expect(one.summary).toMatch(/event loop .*this process has 1 core/);
    const short = planInferenceThreads('auto', [cluster('a', 4, ['digits-linear-xs', 'cluttered-cnn-s'])], zoo, 8);
    expect(short).toMatchObject({ size: 0 });
    expect(short.summary).toMatch(/event loop .*none is/);
  });

  it('auto: a model never profiled runs on the event loop', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aset-plan-'));
    const manifest = JSON.parse(readFileSync(REPO_MANIFEST, 'utf8')) as { variants: { id: string; latencyMs?: unknown }[] };
    for (const v of manifest.variants) if (v.id === 'cluttered-cnn-l') delete v.latencyMs;
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
    const unprofiled = readZoo(join(dir, 'manifest.json'));
    const plan = planInferenceThreads('auto', [cluster('a', 2, ['cluttered-cnn-l', 'cluttered-cnn-m'])], unprofiled, 4);
    expect([...plan.threaded]).toEqual(['cluttered-cnn-m']);
    expect(plan.size).toBe(2);
  });
});

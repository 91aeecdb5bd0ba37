import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ZooError, loadHeldOut, readZoo } from './index.js';
import { REPO_MANIFEST } from './testing.js';

function manifestFile(content: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'aset-manifest-'));
  const file = join(dir, 'manifest.json');
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

describe('model zoo manifest', () => {
  const zoo = readZoo(REPO_MANIFEST);

  it('loads the committed zoo: tasks, variants sorted by accuracy, real held-out data', () => {
    const digits = zoo.variantsOf('digits');
    expect(digits.length).toBeGreaterThanOrEqual(3);
    expect(digits.map((v) => v.accuracy)).toEqual([...digits.map((v) => v.accuracy)].sort((a, b) => a - b));
    const held = loadHeldOut(zoo, 'digits');
    expect(held.count).toBe(zoo.task('digits')?.heldOut.count);
    expect(held.inputs.length).toBe(held.count * 64);
    expect(new Set(held.labels).size).toBe(10);
  });

  it('names the file and the path of a schema violation', () => {
    const bad = structuredClone(zoo.manifest);
    (bad.variants[1] as { accuracy: number }).accuracy = 1.7;
    const file = manifestFile(bad);
    expect(() => readZoo(file)).toThrow(ZooError);
    expect(() => readZoo(file)).toThrow(new RegExp(`${file} at variants\\.1\\.accuracy: `));
  });

  it('refuses duplicate variant ids and unknown tasks', () => {
    const dup = structuredClone(zoo.manifest);
    dup.variants.push({ ...dup.variants[0]! });
    expect(() => readZoo(manifestFile(dup))).toThrow(/duplicate variant id "digits-linear-xs"/);
    const orphan = structuredClone(zoo.manifest);
    orphan.variants[0]!.task = 'speech';
    expect(() => readZoo(manifestFile(orphan))).toThrow(/unknown task "speech"; tasks are: digits/);
  });

  it('refuses paths that leave the manifest folder, and unreadable JSON', () => {
    const escape = structuredClone(zoo.manifest);
    escape.variants[0]!.file = '../../etc/passwd';
    expect(() => readZoo(manifestFile(escape))).toThrow(/variants\.0\.file: expected a path relative to the manifest folder/);
    expect(() => readZoo(manifestFile('{"schemaVersion":'))).toThrow(/cannot read the manifest/);
    expect(() => readZoo('/nonexistent/manifest.json')).toThrow(/\/nonexistent\/manifest\.json: cannot read the manifest/);
  });

  it('checks the held-out file against its sha256', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aset-heldout-'));
    const copy = structuredClone(zoo.manifest);
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(copy));
    expect(() => loadHeldOut(readZoo(join(dir, 'manifest.json')), 'digits')).toThrow(/held-out file .* is missing/);
  });
});

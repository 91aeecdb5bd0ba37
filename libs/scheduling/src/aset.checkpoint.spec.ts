import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DATA_FILES } from '@aset/contracts';
import { REPO_ROOT } from '@aset/model-zoo';
import { parseSafetyTiers, readAsetCheckpoint } from './aset.checkpoint.js';
import { DEFAULT_SAFETY_TIERS } from './safety.shield.js';

describe('parseSafetyTiers', () => {
  it('reads off and comma-separated sigmas', () => {
    expect(parseSafetyTiers('off')).toEqual([]);
    expect(parseSafetyTiers(DEFAULT_SAFETY_TIERS.join(','))).toEqual([...DEFAULT_SAFETY_TIERS]);
    expect(parseSafetyTiers(' 3, 1.5 ,0')).toEqual([3, 1.5, 0]);
  });

  it('names the text it refuses', () => {
    for (const bad of ['', '4,,0', '4,-1', 'four', '4;2']) expect(() => parseSafetyTiers(bad), bad).toThrow(new RegExp(`safety tiers "${bad}"`));
  });
});

describe('readAsetCheckpoint: checkpoint files as data', () => {
  const shipped = join(REPO_ROOT, 'checkpoints', 'demo.aset.json');
  const text = readFileSync(shipped, 'utf8');
  const dir = mkdtempSync(join(tmpdir(), 'aset-checkpoint-files-'));
  const write = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a shipped checkpoint', () => {
    expect(readAsetCheckpoint(shipped).metadata).toMatchObject({ mode: 'aset', scenario: 'demo' });
  });

  it(`refuses a file over ${DATA_FILES.checkpoint.maxBytes} bytes before reading it, naming it`, () => {
    const path = write('huge.json', '');
    truncateSync(path, DATA_FILES.checkpoint.maxBytes + 1);
    expect(() => readAsetCheckpoint(path)).toThrow(`checkpoint ${path}: is ${DATA_FILES.checkpoint.maxBytes + 1} bytes, over the limit of ${DATA_FILES.checkpoint.maxBytes} bytes (64 MiB) for checkpoint files`);
    expect(() => readAsetCheckpoint(join(dir, 'missing.json'))).toThrow(`checkpoint ${join(dir, 'missing.json')}: cannot be read (ENOENT)`);
  });

  it('refuses a truncated file, naming the file and where the JSON ends', () => {
    const path = write('truncated.json', text.slice(0, 1000));
    expect(() => readAsetCheckpoint(path)).toThrow(`${path}: (root): expected a JSON document`);
    expect(() => readAsetCheckpoint(path)).toThrow(/; at line 1, column 1001\)$/);
  });

  it('refuses JSON of the wrong shape, naming the file and the field', () => {
    expect(() => readAsetCheckpoint(join(REPO_ROOT, 'checkpoints', 'demo.aset.curve.json'))).toThrow(/demo\.aset\.curve\.json: format: /);
    const doc = JSON.parse(text) as { metadata: Record<string, unknown>; network: { parameters: string } };
    expect(() => readAsetCheckpoint(write('no-mode.json', JSON.stringify({ ...doc, metadata: { ...doc.metadata, mode: 'other' } })))).toThrow(/no-mode\.json: metadata\.mode: /);
    expect(() => readAsetCheckpoint(write('short-net.json', JSON.stringify({ ...doc, network: { ...doc.network, parameters: doc.network.parameters.slice(0, 400) } })))).toThrow(
      /short-net\.json: network\.parameters: expected \d+ little-endian float32 values/,
    );
  });
});

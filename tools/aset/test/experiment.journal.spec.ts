import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExperimentJournal, contentHash } from '../src/experiment.journal.js';

const result = (id: number, successRatio: number) => ({ id, successRatio, p95Ms: 10, drops: 0, timedOut: 0, queries: 100, wallMs: 5 });

describe('experiment journal', () => {
  it('reuses a run only under the same key, after a restart with --resume, and keeps only what the report used', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'aset-journal-')), 'nested', 'suite.runs.jsonl');
    const first = new ExperimentJournal(file, true);
    first.record('a', result(0, 0.9));
    first.record('b', result(1, 0.8));
    const resumed = new ExperimentJournal(file, true);
    expect(resumed.get('a')).toEqual(result(0, 0.9));
    expect(resumed.get('c')).toBeUndefined();
    resumed.record('c', result(2, 0.7));
    resumed.keepOnly(['c', 'a', 'missing']);
    expect(readFileSync(file, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { key: string }).key)).toEqual(['c', 'a']);
    // Without --resume a run starts afresh.
    expect(new ExperimentJournal(file, false).get('a')).toBeUndefined();
    expect(readFileSync(file, 'utf8')).toBe('');
  });

  it('names the line of a damaged journal', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'aset-journal-')), 'suite.runs.jsonl');
    writeFileSync(file, `${JSON.stringify({ key: 'a', result: result(0, 1) })}\n{"key": "b", "resu\n`);
    expect(() => new ExperimentJournal(file, true)).toThrow(/suite\.runs\.jsonl:2: not a journal line/);
  });

  it('hashes content, not names or times: a changed byte changes it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aset-hash-'));
    writeFileSync(join(dir, 'a.js'), 'one');
    writeFileSync(join(dir, 'b.js'), 'two');
    writeFileSync(join(dir, 'notes.md'), 'ignored');
    const before = contentHash([dir]);
    writeFileSync(join(dir, 'notes.md'), 'still ignored');
    expect(contentHash([dir])).toBe(before);
    writeFileSync(join(dir, 'b.js'), 'twO');
    expect(contentHash([dir])).not.toBe(before);
  });
});

import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Scenario } from '@aset/scenario';
import type { ExperimentJobResult } from './experiment.job.js';

/**
 * The runs an experiment has finished, one JSON line each, keyed by everything that decides a run's
 * figures: so that `experiment --resume` after an interruption (or with more policies or seeds)
 * runs only what is missing. A line is reused only when its key matches exactly; the key holds the
 * content hashes of the scenario file (and what it extends), the checkpoints, the zoo manifest and
 * the compiled code of every package a simulation runs, so a change to any of them runs it again.
 */
export class ExperimentJournal {
  private readonly done = new Map<string, ExperimentJobResult>();

  constructor(
    readonly file: string,
    resume: boolean,
  ) {
    mkdirSync(dirname(file), { recursive: true });
    if (!resume || !existsSync(file)) {
      writeFileSync(file, '');
      return;
    }
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (line.trim() === '') return;
        try {
          const entry = JSON.parse(line) as { key: string; result: ExperimentJobResult };
          this.done.set(entry.key, entry.result);
        } catch {
          throw new Error(`${file}:${i + 1}: not a journal line (${line.slice(0, 60)}...); delete the file or run without --resume`);
        }
      });
  }

  /** The recorded result of a run with this key, if any. */
  get(key: string): ExperimentJobResult | undefined {
    return this.done.get(key);
  }

  record(key: string, result: ExperimentJobResult): void {
    this.done.set(key, result);
    appendFileSync(this.file, `${JSON.stringify({ key, result })}\n`);
  }

  /** Rewrites the journal with only these keys' lines (the runs the report used). */
  keepOnly(keys: Iterable<string>): void {
    const lines: string[] = [];
    for (const key of keys) {
      const result = this.done.get(key);
      if (result) lines.push(JSON.stringify({ key, result }));
    }
    writeFileSync(this.file, lines.length ? `${lines.join('\n')}\n` : '');
  }
}

/** sha256 of files' contents, in the given order (directories: every `.js` file below, sorted). */
export function contentHash(paths: readonly string[]): string {
  const h = createHash('sha256');
  const add = (p: string) => {
    if (statSync(p).isDirectory()) {
      for (const name of readdirSync(p).sort()) {
        const child = join(p, name);
        if (statSync(child).isDirectory() || name.endsWith('.js')) add(child);
      }
      return;
    }
    h.update(p.length.toString()).update(readFileSync(p));
  };
  for (const p of paths) add(p);
  return h.digest('hex').slice(0, 16);
}

/** sha256 of a parsed scenario: its spec after `extends`, and the arrival traces it replays. */
export function scenarioHash(scenario: Scenario): string {
  const h = createHash('sha256').update(JSON.stringify(scenario.spec));
  for (const [i, trace] of [...scenario.traces.entries()].sort((a, b) => a[0] - b[0])) h.update(String(i)).update(new Uint8Array(trace.buffer, trace.byteOffset, trace.byteLength));
  return h.digest('hex').slice(0, 16);
}

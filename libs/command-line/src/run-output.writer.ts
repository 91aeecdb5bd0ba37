import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { QueryRecord } from '@aset/contracts';
import type { Scenario } from '@aset/scenario';
import { QUERY_CSV_HEADER, queryCsvRow } from '@aset/workload';
import { REPO_ROOT } from './repo.paths.js';

/** The code that produced a result: the repository's commit and whether it had uncommitted changes. */
export interface CodeVersion {
  /** `git rev-parse HEAD`; else ASET_CODE_VERSION; else "unknown" (e.g. a source archive). */
  readonly commit: string;
  /** Uncommitted changes to tracked files (`git status --porcelain --untracked-files=no`); null when unknown. */
  readonly dirty: boolean | null;
}

/** The repository's code version, read once per process. */
export function codeVersion(): CodeVersion {
  cachedVersion ??= readCodeVersion();
  return cachedVersion;
}

let cachedVersion: CodeVersion | undefined;

function readCodeVersion(): CodeVersion {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    return { commit: git('rev-parse', 'HEAD'), dirty: git('status', '--porcelain', '--untracked-files=no') !== '' };
  } catch {
    return { commit: process.env['ASET_CODE_VERSION'] ?? 'unknown', dirty: null };
  }
}

/** sha256 of a file's bytes, hex. */
export function fileSha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** A checkpoint a run loaded: its path (relative to the repository when inside it) and sha256. */
export function checkpointRef(file: string): { file: string; sha256: string } {
  const inRepo = relative(REPO_ROOT, file);
  return { file: inRepo.startsWith('..') ? file : inRepo, sha256: fileSha256(file) };
}

/** The scenario as a run resolved it: name, file, the file's sha256, and the parsed specification. */
export function resolvedScenario(scenario: Scenario): { name: string; file: string; sha256: string | null; spec: unknown } {
  const origin = scenario.origin;
  const exists = existsSync(origin);
  return { name: scenario.name, file: exists ? relative(REPO_ROOT, origin) : origin, sha256: exists ? fileSha256(origin) : null, spec: scenario.spec };
}

/**
 * A run's research outputs in one directory (created if missing): per-query CSV files
 * (`queries.<name>.csv`, one row per QueryRecord, the columns of `QUERY_CSV_COLUMNS`) and `run.json`,
 * the run's metadata (tool, command line, code version, scenario, seeds, policies and checkpoints,
 * settings, results), written by {@link writeRun}. Rows are buffered and written in blocks, so a
 * synchronous simulation can write millions of them.
 */
export class RunOutputDirectory {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  /** Opens `queries.<name>.csv` (replacing it) and writes its header; `close` the writer when done. */
  queryCsv(name: string): QueryCsvWriter {
    if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new Error(`a per-query CSV is named queries.<name>.csv with [A-Za-z0-9_.-] only, got "${name}"`);
    return new QueryCsvWriter(join(this.dir, `queries.${name}.csv`));
  }

  /** Writes `run.json`: `{schemaVersion, tool, createdAt, command, codeVersion, ...metadata}`; returns its path. */
  writeRun(tool: string, metadata: Record<string, unknown>): string {
    const file = join(this.dir, 'run.json');
    const run = { schemaVersion: 1, tool, createdAt: new Date().toISOString(), command: process.argv.slice(2), codeVersion: codeVersion(), ...metadata };
    writeFileSync(file, `${JSON.stringify(run, null, 2)}\n`);
    return file;
  }
}

/** Writes QueryRecords to one CSV file in blocks of about 1 MB. */
export class QueryCsvWriter {
  private readonly fd: number;
  private pending: string[] = [];
  private pendingLength = 0;
  rows = 0;

  constructor(readonly file: string) {
    this.fd = openSync(file, 'w');
    writeSync(this.fd, QUERY_CSV_HEADER);
  }

  write(record: QueryRecord): void {
    const row = queryCsvRow(record);
    this.pending.push(row);
    this.pendingLength += row.length;
    this.rows++;
    if (this.pendingLength >= 1 << 20) this.flush();
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    writeSync(this.fd, this.pending.join(''));
    this.pending = [];
    this.pendingLength = 0;
  }
}

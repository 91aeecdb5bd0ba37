import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** A kind of data file: its name in errors and the largest accepted size. */
export interface DataFileKind {
  readonly what: string;
  readonly maxBytes: number;
}

const MIB = 1024 * 1024;

/**
 * The data files ASET reads and their size limits: far above every shipped file (the largest
 * scenario, scenarios/isp.yaml, is 1.9 MiB; the largest checkpoint 0.5 MiB), low enough that a wrong
 * path (a disk image, a log) fails at once instead of exhausting memory.
 */
export const DATA_FILES = {
  scenario: { what: 'scenario', maxBytes: 16 * MIB },
  trace: { what: 'arrival trace', maxBytes: 64 * MIB },
  checkpoint: { what: 'checkpoint', maxBytes: 64 * MIB },
} as const satisfies Record<string, DataFileKind>;

/** A data file that cannot be used as such; `detail` says why without naming the file, `code` is the system error code of an I/O failure. */
export class DataFileError extends Error {
  constructor(
    readonly file: string,
    readonly what: string,
    readonly detail: string,
    readonly code?: string,
  ) {
    super(`${what} ${file}: ${detail}`);
    this.name = 'DataFileError';
  }
}

/**
 * The text of the data file at `path`, refusing (DataFileError naming the file) one that cannot be
 * read, is not a regular file, is larger than `kind.maxBytes` (checked on the open file before
 * reading, and again while reading, so a file growing meanwhile is refused too) or is not UTF-8.
 * A leading byte order mark is dropped. Parsing the text is the caller's job.
 */
export function readDataFile(path: string, kind: DataFileKind): string {
  const fail = (detail: string, code?: string) => new DataFileError(path, kind.what, detail, code);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    const code = systemCode(e);
    throw fail(`cannot be read (${code})`, code);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw fail('is not a regular file');
    if (stat.size > kind.maxBytes) throw fail(tooLarge(stat.size, kind));
    const bytes = Buffer.alloc(Math.min(stat.size, kind.maxBytes) + 1);
    let length = 0;
    for (;;) {
      if (length === bytes.length) throw fail(tooLarge(length, kind, 'at least '));
      const n = readSync(fd, bytes, length, bytes.length - length, null);
      if (n === 0) break;
      length += n;
    }
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, length));
    } catch {
      throw fail('is not UTF-8 text');
    }
  } catch (e) {
    if (e instanceof DataFileError) throw e;
    const code = systemCode(e);
    throw fail(`cannot be read (${code})`, code);
  } finally {
    closeSync(fd);
  }
}

function tooLarge(bytes: number, kind: DataFileKind, qualifier = ''): string {
  const mib = kind.maxBytes % MIB === 0 ? ` (${kind.maxBytes / MIB} MiB)` : '';
  return `is ${qualifier}${bytes} bytes, over the limit of ${kind.maxBytes} bytes${mib} for ${kind.what} files`;
}

function systemCode(e: unknown): string {
  return e instanceof Error && 'code' in e ? String(e.code) : String(e);
}

/**
 * Where a JSON.parse error of `text` points, as `line L, column C` (1-based; the end of the text
 * when it ended too early), or undefined when the message gives no position.
 */
export function jsonErrorPlace(text: string, error: unknown): string | undefined {
  const message = error instanceof Error ? error.message : String(error);
  const at = /at position (\d+)/.exec(message)?.[1];
  const offset = at !== undefined ? Number(at) : /end of JSON input/i.test(message) ? text.length : undefined;
  if (offset === undefined) return undefined;
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return `line ${line}, column ${offset - before.lastIndexOf('\n')}`;
}

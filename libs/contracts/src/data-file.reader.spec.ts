import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DATA_FILES, DataFileError, jsonErrorPlace, readDataFile } from './data-file.reader.js';

const dir = mkdtempSync(join(tmpdir(), 'aset-data-file-'));
const small = { what: 'sample', maxBytes: 16 };
const file = (name: string, content: string | Buffer) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
const errorOf = (f: () => unknown): DataFileError => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(DataFileError);
    return e as DataFileError;
  }
  throw new Error('expected a DataFileError');
};

describe('readDataFile', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads UTF-8 text up to the limit, dropping a byte order mark', () => {
    expect(readDataFile(file('ok.txt', 'héllo'), small)).toBe('héllo');
    expect(readDataFile(file('limit.txt', 'x'.repeat(16)), small)).toBe('x'.repeat(16));
    expect(readDataFile(file('bom.txt', '\uFEFFa,b'), small)).toBe('a,b');
    expect(readDataFile(file('empty.txt', ''), small)).toBe('');
  });

  it('refuses a file over the limit, naming it, the size and the limit', () => {
    const e = errorOf(() => readDataFile(file('big.txt', 'x'.repeat(17)), small));
    expect(e.message).toBe(`sample ${join(dir, 'big.txt')}: is 17 bytes, over the limit of 16 bytes for sample files`);
    expect(e.code).toBeUndefined();
  });

  it('refuses an oversized file before reading it (a sparse file far larger than memory would allow)', () => {
    const path = file('huge.csv', '');
    truncateSync(path, 64 * 1024 ** 3);
    expect(() => readDataFile(path, DATA_FILES.trace)).toThrow(`arrival trace ${path}: is ${64 * 1024 ** 3} bytes, over the limit of ${64 * 1024 ** 2} bytes (64 MiB) for arrival trace files`);
  });

  it('refuses what is not a readable regular UTF-8 file', () => {
    expect(errorOf(() => readDataFile(join(dir, 'nowhere.txt'), small))).toMatchObject({ code: 'ENOENT', message: `sample ${join(dir, 'nowhere.txt')}: cannot be read (ENOENT)` });
    expect(errorOf(() => readDataFile(dir, small)).message).toBe(`sample ${dir}: is not a regular file`);
    expect(errorOf(() => readDataFile(file('binary.bin', Buffer.from([0x7b, 0xff, 0xfe, 0x00])), small)).message).toMatch(/binary\.bin: is not UTF-8 text$/);
    // A UTF-8 sequence cut off by truncation is not text either.
    expect(errorOf(() => readDataFile(file('cut.txt', Buffer.from('é').subarray(0, 1)), small)).message).toMatch(/cut\.txt: is not UTF-8 text$/);
  });
});

describe('jsonErrorPlace', () => {
  const place = (text: string) => {
    try {
      JSON.parse(text);
    } catch (e) {
      return jsonErrorPlace(text, e);
    }
    throw new Error('expected invalid JSON');
  };

  it('gives the line and column where parsing failed, or the end of a truncated text', () => {
    expect(place('{"a": 1')).toBe('line 1, column 8');
    expect(place('{\n  "a": [1,\n  2')).toBe('line 3, column 4');
    expect(place('')).toBe('line 1, column 1');
    expect(place('{"a": 1,\n "b": 2 "c"}')).toBe('line 2, column 9');
  });
});

import { describe, expect, it } from 'vitest';
import { copyText, isoMicros, queryCopyLine, QUERY_TABLE_COLUMNS } from './query-copy.encoder.js';
import { generateQueryRecords } from './query-record.generator.js';

describe('COPY text encoding of the baseline', () => {
  it('escapes backslash, newline, carriage return and tab, and writes null as \\N', () => {
    expect(copyText('a\tb\nc\rd\\e')).toBe('a\\tb\\nc\\rd\\\\e');
    expect(copyText('\\N')).toBe('\\\\N');
    expect(copyText(null)).toBe('\\N');
    expect(copyText('é路😀')).toBe('é路😀');
  });

  it('writes epoch milliseconds as UTC timestamps with microseconds', () => {
    expect(isoMicros(0)).toBe('1970-01-01T00:00:00.000000Z');
    expect(isoMicros(1_764_136_800_123.456)).toBe('2025-11-26T06:00:00.123456Z');
    expect(isoMicros(1_764_136_800_000 + 999.9996)).toBe('2025-11-26T06:00:01.000000Z');
    expect(isoMicros(null)).toBe('\\N');
  });

  it('writes one line per record with one field per column', () => {
    for (const r of generateQueryRecords(500, 2)) {
      const line = queryCopyLine(r);
      expect(line.endsWith('\n')).toBe(true);
      expect(line.slice(0, -1).split('\t')).toHaveLength(QUERY_TABLE_COLUMNS.length);
    }
  });
});

import { describe, expect, it } from 'vitest';
import { QueryRecordSchema } from '@aset/contracts';
import { generateQueryRecords } from './query-record.generator.js';

describe('generateQueryRecords', () => {
  const records = generateQueryRecords(5_000, 4, 7);

  it('makes valid QueryRecords with unique (run, query) ids over the requested runs', () => {
    for (const r of records) expect(QueryRecordSchema.safeParse(r).success).toBe(true);
    expect(new Set(records.map((r) => `${r.runId}/${r.queryId}`)).size).toBe(records.length);
    expect(new Set(records.map((r) => r.runId)).size).toBe(4);
  });

  it('mixes outcomes, nulls, warm-up queries and text that needs escaping', () => {
    const statuses = new Set(records.map((r) => r.status));
    expect([...statuses].sort()).toEqual(['completed', 'dropped', 'error', 'timed_out']);
    expect(records.some((r) => r.clusterId === null && r.dispatchedAt === null)).toBe(true);
    expect(records.some((r) => r.warmup)).toBe(true);
    expect(records.some((r) => /[\t\n\\]/.test(r.detail ?? ''))).toBe(true);
    expect(records.some((r) => !Number.isInteger(r.createdAt))).toBe(true);
  });

  it('is deterministic for a seed', () => {
    expect(generateQueryRecords(50, 2, 7)).toEqual(generateQueryRecords(50, 2, 7));
    expect(generateQueryRecords(50, 2, 8)).not.toEqual(generateQueryRecords(50, 2, 7));
  });
});

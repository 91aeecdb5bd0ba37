import { describe, expect, it } from 'vitest';
import { InferenceQuerySchema, QueryRecordSchema } from './index.js';
import { decodeMessage, encodeMessage, errorReplyOf } from './message.codec.js';
import { sampleQuery } from './testing.js';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('decodeMessage', () => {
  it('accepts a valid query and returns the parsed value', () => {
    const q = sampleQuery();
    const d = decodeMessage(InferenceQuerySchema, encodeMessage(q), 'aset.query.schedule');
    expect(d).toEqual({ ok: true, value: q });
  });

  it('refuses non-JSON with INVALID_MESSAGE naming the subject', () => {
    const d = decodeMessage(InferenceQuerySchema, bytes('{not json'), 'aset.query.schedule');
    expect(d.ok).toBe(false);
    if (d.ok) return;
    expect(d.code).toBe('INVALID_MESSAGE');
    expect(d.message).toMatch(/^aset\.query\.schedule: payload is not JSON/);
  });

  it('names the path of every schema violation and keeps the query id', () => {
    const q = { ...sampleQuery(), slo: { maxLatencyMs: -1, minAccuracy: 2 } };
    const d = decodeMessage(InferenceQuerySchema, encodeMessage(q), 's');
    expect(d.ok).toBe(false);
    if (d.ok) return;
    expect(d.issues.map((i) => i.path).sort()).toEqual(['slo.maxLatencyMs', 'slo.minAccuracy']);
    expect(d.queryId).toBe('q-1');
    const reply = errorReplyOf(d);
    expect(reply).toMatchObject({ status: 'error', code: 'INVALID_MESSAGE', queryId: 'q-1' });
  });

  it('tells an unsupported schemaVersion apart from a malformed message', () => {
    const d = decodeMessage(InferenceQuerySchema, encodeMessage({ ...sampleQuery(), schemaVersion: 2 }), 's');
    expect(d).toMatchObject({ ok: false, code: 'UNSUPPORTED_SCHEMA_VERSION' });
  });

  it('rejects a tensor whose data does not match its shape', () => {
    const q = sampleQuery();
    const bad = { ...q, input: { ...q.input, shape: [1, 1, 8, 9] } };
    const d = decodeMessage(InferenceQuerySchema, encodeMessage(bad), 's');
    expect(d).toMatchObject({ ok: false, issues: [{ path: 'input.data' }] });
  });

  it('rejects identifiers that are not subject tokens', () => {
    const d = decodeMessage(InferenceQuerySchema, encodeMessage(sampleQuery({ source: 'a.b' })), 's');
    expect(d).toMatchObject({ ok: false, issues: [{ path: 'source' }] });
  });

  it('rejects a query record with an unknown terminal status', () => {
    const d = decodeMessage(QueryRecordSchema, encodeMessage({ schemaVersion: 1, status: 'lost' }), 's');
    expect(d.ok).toBe(false);
  });
});

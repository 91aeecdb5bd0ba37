import { describe, expect, it } from 'vitest';
import { InferenceQuerySchema, QueryRecordSchema, RunRecordSchema, type RunStarted } from './index.js';
import { MAX_MESSAGE_DEPTH, decodeMessage, encodeMessage, errorReplyOf } from './message.codec.js';
import { sampleQuery } from './testing.js';

const bytes = (s: string) => new TextEncoder().encode(s);
const runStarted = (parameters: Record<string, unknown>): RunStarted => ({ schemaVersion: 1, kind: 'started', runId: 'r', scenario: 'demo', seed: 1, codeVersion: 'v', parameters, startedAt: 1 });

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

  it('accepts a tensor whose data is canonical base64 only', () => {
    const q = sampleQuery();
    const data = q.input.data;
    expect(data.length % 4).toBe(0);
    const withData = (d: string) => decodeMessage(InferenceQuerySchema, encodeMessage({ ...q, input: { ...q.input, data: d } }), 's');
    expect(withData(data).ok).toBe(true);
    // Same length, so the shape check alone would pass: a character outside the alphabet,
    // base64url's alphabet, a space, and a last character whose unused bits are not zero.
    const at = (i: number, c: string) => data.slice(0, i) + c + data.slice(i + 1);
    const last = data.replace(/=+$/, '').length - 1;
    const lastBitsSet = at(last, data[last] === 'A' ? 'B' : 'A');
    for (const bad of [at(5, '!'), at(5, '-'), at(5, '_'), at(5, ' '), lastBitsSet]) {
      expect(withData(bad)).toMatchObject({ ok: false, issues: [{ path: 'input.data', message: 'expected base64' }] });
    }
  });

  it('rejects identifiers that are not subject tokens', () => {
    const d = decodeMessage(InferenceQuerySchema, encodeMessage(sampleQuery({ source: 'a.b' })), 's');
    expect(d).toMatchObject({ ok: false, issues: [{ path: 'source' }] });
  });

  it('refuses a payload nested deeper than MAX_MESSAGE_DEPTH before parsing it, and counts no bracket inside a string', () => {
    const deep = '['.repeat(400_000) + ']'.repeat(400_000);
    const d = decodeMessage(InferenceQuerySchema, bytes(`{"schemaVersion":1,"app":${deep}}`), 's');
    expect(d).toMatchObject({ ok: false, code: 'INVALID_MESSAGE', message: `s: payload nests objects or arrays deeper than ${MAX_MESSAGE_DEPTH} levels` });
    const nested = (n: number) => '['.repeat(n) + ']'.repeat(n);
    expect(decodeMessage(RunRecordSchema, encodeMessage(runStarted({ deep: JSON.parse(nested(MAX_MESSAGE_DEPTH - 2)) })), 's').ok).toBe(true);
    expect(decodeMessage(RunRecordSchema, encodeMessage(runStarted({ deep: JSON.parse(nested(MAX_MESSAGE_DEPTH - 1)) })), 's')).toMatchObject({ ok: false, code: 'INVALID_MESSAGE' });
    expect(decodeMessage(RunRecordSchema, encodeMessage(runStarted({ text: `"\\[${'['.repeat(100)}` })), 's').ok).toBe(true);
    // A string ending in backslashes ends at its quote: the nesting after it counts.
    for (const text of ['a\\', 'a\\\\', '\\"']) {
      expect(decodeMessage(RunRecordSchema, encodeMessage(runStarted({ text, deep: JSON.parse(nested(MAX_MESSAGE_DEPTH - 1)) })), 's')).toMatchObject({ ok: false, code: 'INVALID_MESSAGE', message: expect.stringContaining('nests') });
    }
    expect(decodeMessage(RunRecordSchema, bytes(`{"text":"${'['.repeat(100)}`), 's')).toMatchObject({ ok: false, code: 'INVALID_MESSAGE', message: expect.stringContaining('not JSON') });
  });

  it('rejects a query record with an unknown terminal status', () => {
    const d = decodeMessage(QueryRecordSchema, encodeMessage({ schemaVersion: 1, status: 'lost' }), 's');
    expect(d.ok).toBe(false);
  });
});

import type { z } from 'zod';
import type { ErrorCode } from './error.codes.js';
import type { ErrorReply } from './query.schema.js';

/** Accepted schemaVersion of every message in this release. */
export const SCHEMA_VERSION = 1;

export type DecodeIssue = { path: string; message: string };

/** The outcome of decoding a message: the value, or why it was refused. Never throws. */
export type Decoded<T> =
  | { ok: true; value: T }
  | { ok: false; code: Extract<ErrorCode, 'INVALID_MESSAGE' | 'UNSUPPORTED_SCHEMA_VERSION'>; message: string; issues: DecodeIssue[]; queryId?: string };

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** Parses JSON bytes and validates them against `schema`. `subject` only names the source in messages. */
export function decodeMessage<S extends z.ZodType>(schema: S, bytes: Uint8Array, subject: string): Decoded<z.infer<S>> {
  let raw: unknown;
  try {
    raw = JSON.parse(decoder.decode(bytes));
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    return { ok: false, code: 'INVALID_MESSAGE', message: `${subject}: payload is not JSON (${reason})`, issues: [] };
  }
  const queryId = readQueryId(raw);
  if (typeof raw === 'object' && raw !== null && 'schemaVersion' in raw && raw.schemaVersion !== SCHEMA_VERSION) {
    return {
      ok: false,
      code: 'UNSUPPORTED_SCHEMA_VERSION',
      message: `${subject}: schemaVersion ${JSON.stringify(raw.schemaVersion)} is not supported; expected ${SCHEMA_VERSION}`,
      issues: [{ path: 'schemaVersion', message: `expected ${SCHEMA_VERSION}` }],
      ...(queryId ? { queryId } : {}),
    };
  }
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issues = parsed.error.issues.slice(0, 50).map((i) => ({
    path: i.path.length ? i.path.map(String).join('.') : '(root)',
    message: i.message,
  }));
  const summary = issues.slice(0, 3).map((i) => `${i.path}: ${i.message}`).join('; ');
  return {
    ok: false,
    code: 'INVALID_MESSAGE',
    message: `${subject}: ${summary}${issues.length > 3 ? ` (+${issues.length - 3} more)` : ''}`,
    issues,
    ...(queryId ? { queryId } : {}),
  };
}

export function encodeMessage(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

/** Builds the ErrorReply for a refused message. */
export function errorReplyOf(refusal: Extract<Decoded<unknown>, { ok: false }>): ErrorReply {
  return {
    schemaVersion: 1,
    status: 'error',
    code: refusal.code,
    message: refusal.message,
    issues: refusal.issues,
    ...(refusal.queryId ? { queryId: refusal.queryId } : {}),
  };
}

function readQueryId(raw: unknown): string | undefined {
  if (typeof raw !== 'object' || raw === null || !('queryId' in raw)) return undefined;
  const id = raw.queryId;
  return typeof id === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(id) ? id : undefined;
}

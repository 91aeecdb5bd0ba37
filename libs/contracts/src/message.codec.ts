import type { z } from 'zod';
import type { ErrorCode } from './error.codes.js';
import type { ErrorReply } from './query.schema.js';

/** Accepted schemaVersion of every message in this release. */
export const SCHEMA_VERSION = 1;

/**
 * Deepest nesting of objects and arrays in a message; no contract comes near it. A deeper payload is
 * refused before it is parsed: JSON.parse takes about a second over a megabyte of nesting, long
 * enough for the NATS server to cut a service off as a slow consumer.
 */
export const MAX_MESSAGE_DEPTH = 32;

export type DecodeIssue = { path: string; message: string };

/** The outcome of decoding a message: the value, or why it was refused. Never throws. */
export type Decoded<T> =
  | { ok: true; value: T }
  | { ok: false; code: Extract<ErrorCode, 'INVALID_MESSAGE' | 'UNSUPPORTED_SCHEMA_VERSION'>; message: string; issues: DecodeIssue[]; queryId?: string };

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/**
 * Parses JSON bytes and validates them against `schema`. `subject` only names the source in messages.
 * A payload nested deeper than {@link MAX_MESSAGE_DEPTH} is refused unparsed (INVALID_MESSAGE).
 */
export function decodeMessage<S extends z.ZodType>(schema: S, bytes: Uint8Array, subject: string): Decoded<z.infer<S>> {
  if (nestsDeeperThan(bytes, MAX_MESSAGE_DEPTH)) {
    return { ok: false, code: 'INVALID_MESSAGE', message: `${subject}: payload nests objects or arrays deeper than ${MAX_MESSAGE_DEPTH} levels`, issues: [] };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(decoder.decode(bytes));
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    return { ok: false, code: 'INVALID_MESSAGE', message: `${subject}: payload is not JSON (${reason})`, issues: [] };
  }
  if (typeof raw === 'object' && raw !== null && 'schemaVersion' in raw && raw.schemaVersion !== SCHEMA_VERSION) {
    const queryId = readQueryId(raw);
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
  const queryId = readQueryId(raw);
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

/**
 * True when the JSON text in `bytes` opens more than `max` objects or arrays at once (brackets inside
 * strings do not count). One pass over the bytes, jumping over strings (most of a message's bytes,
 * e.g. a base64 tensor) with indexOf: a quote ends a string unless an odd number of backslashes
 * precede it. UTF-8 continuation bytes never look like ASCII.
 */
function nestsDeeperThan(payload: Uint8Array, max: number): boolean {
  // Buffer's indexOf searches natively; a plain Uint8Array's is about 40x slower over a long string.
  const bytes = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  let depth = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === 0x22) {
      i = closingQuote(bytes, i);
      // An unterminated string: JSON.parse refuses it.
      if (i < 0) return false;
    } else if (b === 0x7b || b === 0x5b) {
      if (++depth > max) return true;
    } else if (b === 0x7d || b === 0x5d) depth--;
  }
  return false;
}

/** The index of the quote that closes the string opened at `open`, or -1. */
function closingQuote(bytes: Buffer, open: number): number {
  for (let q = bytes.indexOf(0x22, open + 1); q >= 0; q = bytes.indexOf(0x22, q + 1)) {
    let backslashes = 0;
    while (bytes[q - 1 - backslashes] === 0x5c) backslashes++;
    if (backslashes % 2 === 0) return q;
  }
  return -1;
}

function readQueryId(raw: unknown): string | undefined {
  if (typeof raw !== 'object' || raw === null || !('queryId' in raw)) return undefined;
  const id = raw.queryId;
  return typeof id === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(id) ? id : undefined;
}

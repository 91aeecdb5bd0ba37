import { CONTRACTS, type MessageOf } from './contract.registry.js';
import { decodeMessage } from './message.codec.js';
import type { SubjectKey } from './subjects.map.js';

/**
 * What a fuzzed message is:
 * - `truncated`: a valid message's JSON cut short;
 * - `not-json`: bytes that are no JSON object (binary, text, invalid UTF-8, an empty payload, a JSON scalar);
 * - `wrong-type`: a valid message with one field (leaf or object) of the wrong type, or missing;
 * - `extreme`: a valid message with one number or string at an edge (0, 2^31, 2^53 - 1, 1e300, an
 *   epoch beyond year 294276, a NUL character, 64 or 65 characters...): valid by the contract or not,
 *   as the contract says (a database column may still not hold it);
 * - `huge`: deep nesting, a very long array or string in a field, a huge tensor, or a payload
 *   padded up to the largest payload allowed (some of these are valid by the contract: zod drops unknown keys);
 * - `bad-base64`: a tensor whose `data` is not base64 of the right length (only for messages with a tensor);
 * - `schema-version`: a schemaVersion this release does not speak;
 * - `unknown-reference`: valid by the contract, but naming a cluster, variant, source, run... nobody knows;
 * - `replayed`: the exact bytes of an earlier valid message (same query id, same record);
 * - `control`: a valid message.
 */
export const FUZZ_CATEGORIES = ['truncated', 'not-json', 'wrong-type', 'extreme', 'huge', 'bad-base64', 'schema-version', 'unknown-reference', 'replayed', 'control'] as const;
export type FuzzCategory = (typeof FUZZ_CATEGORIES)[number];

/** One fuzzed message of the subject of `K`. */
export interface FuzzMessage<K extends SubjectKey> {
  /** Its position in the sequence, from 0. */
  readonly index: number;
  readonly category: FuzzCategory;
  readonly bytes: Uint8Array;
  /**
   * How the receive edge must refuse it by the contract alone (the bus counts it as invalid and a
   * request gets an ErrorReply with this code); null when it is valid by the contract: what happens
   * to it then is the receiving service's own contract (served, refused as unknown, stored...).
   */
  readonly refusal: 'INVALID_MESSAGE' | 'UNSUPPORTED_SCHEMA_VERSION' | null;
  /** The message, when it is valid by the contract. */
  readonly value?: MessageOf<K>;
  /** For `replayed`: the index of the message it repeats. */
  readonly replayOf?: number;
}

export interface FuzzOptions<K extends SubjectKey> {
  /** A seeded uniform [0, 1) source (`seededRandom` of `@aset/determinism`): the same seed gives the same messages. */
  random: () => number;
  count: number;
  /** The `n`-th valid message of the subject: the controls, and the base of every mutation. Distinct `n` should give distinct ids. */
  valid: (n: number) => MessageOf<K>;
  /** Largest payload to produce, bytes (the NATS server's max_payload less room for the subject and headers). */
  maxPayload: number;
  /**
   * Dotted paths of the fields that name something the deployment must know (e.g. `source`,
   * `decision.clusterId`); `unknown-reference` replaces one with an id nobody knows. Default:
   * {@link REFERENCE_FIELDS} of the subject.
   */
  references?: readonly string[];
  /** Relative weight of each category (default {@link DEFAULT_FUZZ_WEIGHTS}); 0 leaves a category out. */
  weights?: Partial<Record<FuzzCategory, number>>;
}

/** The fields of each contract that name something a deployment knows: clusters, variants, sources, apps, tasks, runs. */
export const REFERENCE_FIELDS = {
  scheduleQuery: ['source', 'app', 'task'],
  clusterInfer: ['decision.clusterId', 'decision.variantId', 'source', 'app', 'task'],
  clusterHeartbeat: ['clusterId'],
  runClock: ['runId', 'scenario'],
  runRecord: ['runId'],
  queryRecord: ['runId'],
  decisionRecord: ['runId'],
} as const satisfies Record<SubjectKey, readonly string[]>;

export const DEFAULT_FUZZ_WEIGHTS: Readonly<Record<FuzzCategory, number>> = {
  truncated: 14,
  'not-json': 10,
  'wrong-type': 20,
  extreme: 6,
  huge: 3,
  'bad-base64': 10,
  'schema-version': 10,
  'unknown-reference': 10,
  replayed: 4,
  control: 4,
};

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Path = readonly (string | number)[];

const encoder = new TextEncoder();
/** Wrong values for a field: each is of another type than most fields, and the contract check filters out the rest. */
const WRONG_VALUES: readonly (Json | undefined)[] = [undefined, null, 'x', '', 42, -1, 0.5, 1e308, true, false, [], {}, [1, 'a'], { a: 1 }];
const BAD_BASE64 = ['!!!!', 'AAA', 'A===', '=AAA', 'AA=A', 'ab-_', 'AAAA\n', ' AAAA', 'AAAA AAAA', 'ÀÀÀÀ', '%%%%', 'AAAAA', 'AAAAAA=', 'AAECAw==AAAA'];
/** Edge values of numbers and strings; the ones the contract accepts test the receivers' own limits (database columns, timers). */
const EXTREME_NUMBERS = [0, 1, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 53 - 1, 1e15, 9.3e15, 1e-300, 1e300, -1e-300];
const EXTREME_STRINGS = ['\u0000', 'a\u0000b', 'a'.repeat(64), 'a'.repeat(65), '\ud800', '😀', 'é'.repeat(200), ' ', 'x'.repeat(1001)];
/** Stands for the huge value in a message's JSON until it is spliced in. */
const HUGE_MARKER = '__aset_fuzz_huge__';
const UNSUPPORTED_VERSIONS: readonly Json[] = [0, 2, 3, 99, -1, 1.5, '1', 'v1', null, true, [1], { v: 1 }];

/**
 * A seeded, deterministic sequence of malformed (and some valid) messages for the subject of
 * `key`, labelled with how its receive edge must refuse each one (see {@link FuzzMessage.refusal}).
 * A mutation the contract would still accept is drawn again (`wrong-type`, `bad-base64`) or
 * labelled valid (`extreme`, `huge`: labelled by the contract's decoder, `decodeMessage`).
 * Every payload is at most `maxPayload` bytes.
 */
export function malformedMessages<K extends SubjectKey>(key: K, options: FuzzOptions<K>): FuzzMessage<K>[] {
  const { random, count, valid, maxPayload } = options;
  const schema = CONTRACTS[key].message;
  const references = options.references ?? REFERENCE_FIELDS[key];
  const accepts = (value: unknown) => schema.safeParse(value).success;
  const hasTensor = tensorPaths(valid(0) as Json).length > 0;
  const weights = FUZZ_CATEGORIES.map((c) => {
    const w = options.weights?.[c] ?? DEFAULT_FUZZ_WEIGHTS[c];
    return (c === 'bad-base64' && !hasTensor) || (c === 'unknown-reference' && references.length === 0) ? 0 : w;
  });
  const totalWeight = weights.reduce((a, b) => a + b, 0);
  if (totalWeight <= 0) throw new Error(`malformedMessages(${key}): every category has weight 0`);
  const int = (n: number) => Math.floor(random() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  const category = (): FuzzCategory => {
    let r = random() * totalWeight;
    for (let i = 0; i < weights.length; i++) {
      r -= weights[i] as number;
      if (r < 0) return FUZZ_CATEGORIES[i] as FuzzCategory;
    }
    return FUZZ_CATEGORIES[FUZZ_CATEGORIES.length - 1] as FuzzCategory;
  };

  const out: FuzzMessage<K>[] = [];
  const validSoFar: number[] = [];
  const emit = (index: number, c: FuzzCategory, text: string | Uint8Array, refusal: FuzzMessage<K>['refusal'], value?: unknown, replayOf?: number) => {
    const bytes = typeof text === 'string' ? encoder.encode(text) : text;
    if (bytes.length > maxPayload) throw new Error(`malformedMessages(${key}): a ${c} payload of ${bytes.length} bytes exceeds maxPayload ${maxPayload}`);
    if (refusal === null) validSoFar.push(index);
    out.push({ index, category: c, bytes, refusal, ...(value !== undefined ? { value: value as MessageOf<K> } : {}), ...(replayOf !== undefined ? { replayOf } : {}) });
  };

  /** Emits a payload labelled by the contract's decoder: some edge values and huge shapes are valid by the contract. */
  const labelled = (index: number, c: FuzzCategory, text: string) => {
    const bytes = encoder.encode(text);
    const decoded = decodeMessage(schema, bytes, key);
    emit(index, c, bytes, decoded.ok ? null : decoded.code, decoded.ok ? decoded.value : undefined);
  };

  for (let index = 0; index < count; index++) {
    const base = valid(index) as Json;
    const text = JSON.stringify(base);
    let c = category();
    if (c === 'replayed' && validSoFar.length === 0) c = 'control';
    switch (c) {
      case 'truncated':
        // A strict prefix of a JSON object never closes its outer brace.
        emit(index, c, text.slice(0, int(text.length)), 'INVALID_MESSAGE');
        break;
      case 'not-json':
        emit(index, c, notJson(random, int, pick), 'INVALID_MESSAGE');
        break;
      case 'wrong-type': {
        const paths = fieldPaths(base).filter((p) => p[0] !== 'schemaVersion');
        let mutated: Json | undefined;
        for (let attempt = 0; attempt < 50 && mutated === undefined; attempt++) {
          const candidate = withValue(base, pick(paths), pick(WRONG_VALUES));
          if (!accepts(candidate)) mutated = candidate;
        }
        if (mutated === undefined) throw new Error(`malformedMessages(${key}): no wrong-type mutation of message ${index} breaks the contract`);
        emit(index, c, JSON.stringify(mutated), 'INVALID_MESSAGE');
        break;
      }
      case 'extreme': {
        const leaves = fieldPaths(base).filter((p) => p[0] !== 'schemaVersion' && ['number', 'string'].includes(typeof readPath(base, p)));
        const at = pick(leaves);
        labelled(index, c, JSON.stringify(withValue(base, at, typeof readPath(base, at) === 'number' ? pick(EXTREME_NUMBERS) : pick(EXTREME_STRINGS))));
        break;
      }
      case 'huge':
        labelled(index, c, hugePayload(base, random, int, pick, maxPayload));
        break;
      case 'bad-base64': {
        let mutated: Json | undefined;
        for (let attempt = 0; attempt < 50 && mutated === undefined; attempt++) {
          const candidate = withValue(base, [...pick(tensorPaths(base)), 'data'], badBase64(base, random, int, pick));
          if (!accepts(candidate)) mutated = candidate;
        }
        if (mutated === undefined) throw new Error(`malformedMessages(${key}): no bad-base64 mutation of message ${index} breaks the contract`);
        emit(index, c, JSON.stringify(mutated), 'INVALID_MESSAGE');
        break;
      }
      case 'schema-version':
        emit(index, c, JSON.stringify(withValue(base, ['schemaVersion'], pick(UNSUPPORTED_VERSIONS))), 'UNSUPPORTED_SCHEMA_VERSION');
        break;
      case 'unknown-reference': {
        const value = withValue(base, pick(references).split('.'), `unknown-${index.toString(36)}-${int(1e9).toString(36)}`);
        if (!accepts(value)) throw new Error(`malformedMessages(${key}): an unknown reference breaks the contract; is every reference field an identifier?`);
        emit(index, c, JSON.stringify(value), null, value);
        break;
      }
      case 'replayed': {
        const of = out[pick(validSoFar)] as FuzzMessage<K>;
        emit(index, c, of.bytes, null, of.value, of.index);
        break;
      }
      case 'control':
        emit(index, c, text, null, base);
        break;
    }
  }
  return out;
}

function notJson(random: () => number, int: (n: number) => number, pick: <T>(items: readonly T[]) => T): string | Uint8Array {
  switch (int(7)) {
    case 0:
      return new Uint8Array(0);
    case 1:
      return Uint8Array.from({ length: 1 + int(512) }, () => int(256));
    case 2:
      // Invalid UTF-8: lone continuation bytes and an overlong encoding.
      return Uint8Array.from([0x7b, 0x80, 0xbf, 0xc0, 0xaf, 0xff, 0xfe, 0x7d]);
    case 3:
      return pick(['hello', '<query/>', 'undefined', 'NaN', '{', '}', '{"a":', "{'schemaVersion': 1}", '[1,2', 'null null', '\u0000', '{"schemaVersion":1,}']);
    case 4:
      return JSON.stringify(pick([null, true, 0, -1, 'query', [], [1, 2, 3], [{}]]));
    case 5:
      return Array.from({ length: 1 + int(200) }, () => String.fromCharCode(32 + int(95))).join('').replace(/^[\s{[]+/, 'x');
    default:
      return `${random()}garbage`;
  }
}

/** A payload with one huge shape; at most `maxPayload` bytes. */
function hugePayload(base: Json, random: () => number, int: (n: number) => number, pick: <T>(items: readonly T[]) => T, maxPayload: number): string {
  const text = JSON.stringify(base);
  const room = Math.max(0, maxPayload - text.length - 64);
  // Log-uniform sizes from 1 KiB to the whole room: mostly moderate, some at the limit.
  const size = Math.min(room, Math.floor(1024 * Math.pow(Math.max(1, room / 1024), random())));
  const paths = fieldPaths(base).filter((p) => p[0] !== 'schemaVersion');
  const at = pick(paths);
  const place = (value: string) => JSON.stringify(withValue(base, at, HUGE_MARKER)).replace(`"${HUGE_MARKER}"`, () => value);
  const tensors = tensorPaths(base);
  switch (int(tensors.length > 0 ? 6 : 5)) {
    case 0: {
      const depth = Math.max(1, Math.floor(size / 2));
      return place('['.repeat(depth) + ']'.repeat(depth));
    }
    case 1: {
      const depth = Math.max(1, Math.floor(size / 6));
      return place('{"a":'.repeat(depth) + '1' + '}'.repeat(depth));
    }
    case 2:
      return place(`[${Array.from({ length: Math.max(1, Math.floor(size / 2)) }, () => int(10)).join(',')}]`);
    case 3:
      return place(JSON.stringify('x'.repeat(size)));
    case 4:
      // Unknown keys: zod drops them, so this one is valid by the contract when `base` is.
      return `${text.slice(0, -1)},"padding":${JSON.stringify('p'.repeat(size))}}`;
    default: {
      const tensor = pick(tensors);
      const data = 'AAAA'.repeat(Math.max(1, Math.floor(size / 4)));
      const shape = pick([[1, 1 << 30], [1 << 16, 1 << 16], [1, data.length], Array.from({ length: 9 }, () => 2)]);
      return JSON.stringify(withValue(withValue(base, [...tensor, 'data'], data), [...tensor, 'shape'], shape));
    }
  }
}

function badBase64(base: Json, random: () => number, int: (n: number) => number, pick: <T>(items: readonly T[]) => T): string {
  const data = String(readPath(base, [...pick(tensorPaths(base)), 'data']) ?? '');
  switch (int(4)) {
    case 0:
      return pick(BAD_BASE64);
    case 1:
      // One character replaced by one outside the alphabet.
      return data.length === 0 ? '!' : replaceAt(data, int(data.length), pick(['!', '-', '_', '.', ' ', '\n', '*', 'é']));
    case 2:
      // Valid alphabet, wrong length.
      return data.slice(0, Math.max(0, data.length - 4 * (1 + int(4))));
    default:
      return `${data}${'A'.repeat(1 + int(7))}${random() < 0.5 ? '=' : ''}`;
  }
}

function replaceAt(s: string, i: number, ch: string): string {
  return s.slice(0, i) + ch + s.slice(i + 1);
}

/** Every field path of `value` (objects' keys and arrays' items, at every depth), root excluded. */
function fieldPaths(value: Json, prefix: Path = []): Path[] {
  if (value === null || typeof value !== 'object') return [];
  const entries: [string | number, Json][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  return entries.flatMap(([k, v]) => [[...prefix, k], ...fieldPaths(v, [...prefix, k])]);
}

/** Paths of the tensors in `value` (objects with `dtype`, `shape` and `data`). */
function tensorPaths(value: Json, prefix: Path = []): Path[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [];
  if ('dtype' in value && 'shape' in value && 'data' in value) return [prefix];
  return Object.entries(value).flatMap(([k, v]) => tensorPaths(v, [...prefix, k]));
}

function readPath(value: Json, path: Path): Json | undefined {
  let node: Json | undefined = value;
  for (const k of path) node = node !== null && typeof node === 'object' ? (node as Record<string, Json>)[k] : undefined;
  return node;
}

/** A copy of `value` with the field at `path` set to `v` (removed when `v` is undefined). */
function withValue(value: Json, path: Path, v: Json | undefined): Json {
  if (path.length === 0) return v ?? null;
  const [k, ...rest] = path as [string | number, ...(string | number)[]];
  if (Array.isArray(value)) {
    const copy = [...value];
    if (rest.length === 0 && v === undefined) copy.splice(Number(k), 1);
    else copy[Number(k)] = withValue(copy[Number(k)] ?? null, rest, v);
    return copy;
  }
  const copy: { [k: string]: Json } = { ...(value as { [k: string]: Json }) };
  if (rest.length === 0 && v === undefined) delete copy[k];
  else copy[k] = withValue(copy[k] ?? null, rest, v);
  return copy;
}

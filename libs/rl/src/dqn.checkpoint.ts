import { jsonErrorPlace } from '@aset/contracts';
import { SystemClock, type Clock } from '@aset/determinism';
import { z } from 'zod';
import { DqnAgent } from './dqn.agent.js';
import { describeIssues, DqnOptionsSchema, resolveDqnConfig } from './dqn.config.js';
import { parameterCount } from './mlp.network.js';

/** Value of the `format` field. */
export const CHECKPOINT_FORMAT = 'aset-dqn';
/** The only `version` this build reads and writes. */
export const CHECKPOINT_VERSION = 1;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

const HeaderSchema = z.object({
  format: z.string({ error: `expected the string "${CHECKPOINT_FORMAT}"` }),
  version: z.unknown().optional(),
});

/**
 * Version 1 of the checkpoint document (see README.md): `config` is a resolved `DqnConfig`,
 * `network.layers` the layer sizes `[stateSize, ...hidden, actionCount]`, `network.parameters` the
 * `Mlp` parameter vector as base64 of little-endian float32.
 */
export const CheckpointSchema = z.strictObject({
  format: z.literal(CHECKPOINT_FORMAT),
  version: z.literal(CHECKPOINT_VERSION),
  createdAt: z.iso.datetime({ offset: true, error: 'expected an ISO 8601 date-time string, e.g. 2025-01-31T12:00:00.000Z' }),
  config: DqnOptionsSchema,
  network: z.strictObject({
    layers: z.array(z.int().min(1), { error: 'expected an array of positive integers' }).min(2),
    parameters: z.string({ error: 'expected a base64 string (little-endian float32 values)' }),
  }),
  metadata: z.record(z.string(), z.unknown(), { error: 'expected an object' }),
});

export type CheckpointDocument = z.infer<typeof CheckpointSchema>;

/** Options of `saveCheckpoint`. */
export interface SaveCheckpointOptions {
  /** Source of `createdAt`; the system clock when omitted. */
  clock?: Clock;
}

/** The agent restored by `loadCheckpoint`, with the metadata saved alongside. */
export interface LoadedCheckpoint {
  agent: DqnAgent;
  metadata: Record<string, unknown>;
  createdAt: string;
}

/** Encodes float32 values as base64 of their little-endian bytes, whatever the host's byte order. */
export function encodeFloat32Base64(values: Float32Array): string {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let k = 0; k < values.length; k++) view.setFloat32(k * 4, values[k] as number, true);
  return Buffer.from(bytes.buffer).toString('base64');
}

/**
 * Serialises the agent's online network, resolved config and `metadata` (must be JSON-serialisable)
 * as a version-1 `aset-dqn` JSON document. Replay contents, optimiser moments and step counters are
 * not saved: store what you need in `metadata`.
 */
export function saveCheckpoint(agent: DqnAgent, metadata: Record<string, unknown> = {}, options: SaveCheckpointOptions = {}): string {
  const clock = options.clock ?? new SystemClock();
  const doc: CheckpointDocument = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    createdAt: new Date(clock.now()).toISOString(),
    config: agent.config,
    network: { layers: [...agent.network.layers], parameters: encodeFloat32Base64(agent.network.parameters) },
    metadata,
  };
  return JSON.stringify(doc);
}

/**
 * Parses and validates a checkpoint written by `saveCheckpoint`, returning an agent whose online and
 * target networks hold the saved parameters (ready for `greedy`; training resumes with an empty
 * replay buffer, fresh optimiser moments and step 0). Throws an Error naming `source` (e.g. the file
 * path), the offending field and the expected form: not JSON (with the line and column where the
 * parser stopped, the end of a truncated text), wrong `format` or `version`, schema
 * violations, `network.layers` disagreeing with the config, bad base64, a parameter count that does
 * not match the layers, or non-finite parameters.
 */
export function loadCheckpoint(text: string, source: string): LoadedCheckpoint {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    const place = jsonErrorPlace(text, e);
    throw new Error(`${source}: (root): expected a JSON document (${(e as Error).message}${place ? `; at ${place}` : ''})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new Error(`${source}: (root): expected a JSON object with format "${CHECKPOINT_FORMAT}"`);
  }
  const header = HeaderSchema.safeParse(raw);
  if (!header.success) throw new Error(describeIssues(source, header.error));
  if (header.data.format !== CHECKPOINT_FORMAT) {
    throw new Error(`${source}: format: expected "${CHECKPOINT_FORMAT}", got ${JSON.stringify(header.data.format)}`);
  }
  if (header.data.version !== CHECKPOINT_VERSION) {
    throw new Error(`${source}: version: expected ${CHECKPOINT_VERSION}, got ${JSON.stringify(header.data.version) ?? 'nothing'}`);
  }
  const parsed = CheckpointSchema.safeParse(raw);
  if (!parsed.success) throw new Error(describeIssues(source, parsed.error));
  const doc = parsed.data;

  const config = resolveDqnConfig(doc.config, `${source}: config`);
  const expected = [config.stateSize, ...config.hidden, config.actionCount];
  const layers = doc.network.layers;
  if (layers.length !== expected.length || layers.some((n, i) => n !== expected[i])) {
    throw new Error(
      `${source}: network.layers: expected [stateSize, ...hidden, actionCount] = [${expected.join(', ')}] from config, got [${layers.join(', ')}]`,
    );
  }

  const b64 = doc.network.parameters;
  if (b64.length % 4 !== 0 || !BASE64.test(b64)) {
    throw new Error(`${source}: network.parameters: expected base64 (characters A-Z a-z 0-9 + /, '=' padding, length a multiple of 4)`);
  }
  const bytes = Buffer.from(b64, 'base64');
  const count = parameterCount(layers);
  if (bytes.byteLength !== count * 4) {
    throw new Error(
      `${source}: network.parameters: expected ${count} little-endian float32 values (${count * 4} bytes) for layers [${layers.join(', ')}], got ${bytes.byteLength} bytes`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const parameters = new Float32Array(count);
  for (let k = 0; k < count; k++) {
    const v = view.getFloat32(k * 4, true);
    if (!Number.isFinite(v)) throw new Error(`${source}: network.parameters: value ${k} is ${v}; expected finite float32 values`);
    parameters[k] = v;
  }

  const agent = new DqnAgent(config);
  agent.setParameters(parameters);
  return { agent, metadata: doc.metadata, createdAt: doc.createdAt };
}

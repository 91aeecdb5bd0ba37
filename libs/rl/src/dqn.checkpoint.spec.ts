import { seededRandom } from '@aset/determinism';
import { ManualClock } from '@aset/determinism/testing';
import { describe, expect, it } from 'vitest';
import { DqnAgent } from './dqn.agent.js';
import { loadCheckpoint, saveCheckpoint } from './dqn.checkpoint.js';
import { chainMdp, trainOnMdp } from './testing.js';

const SOURCE = 'models/agent.json';

function trainedAgent(): DqnAgent {
  const mdp = chainMdp(6);
  const agent = new DqnAgent({ stateSize: 6, actionCount: 2, hidden: [8], gamma: 0.9, batchSize: 16, warmupSteps: 20, tau: 0.1, gradClip: null, seed: 3 });
  trainOnMdp(agent, mdp, 300, seededRandom(1));
  return agent;
}

const clock = new ManualClock(Date.UTC(2025, 0, 31, 12, 0, 0));

interface EditableDocument {
  format: unknown;
  version?: unknown;
  createdAt: unknown;
  config: Record<string, unknown>;
  network: { layers: unknown; parameters: unknown };
  metadata: unknown;
}

/** A valid checkpoint document, edited by `edit` before serialising. */
function edited(edit: (doc: EditableDocument) => void): string {
  const doc = JSON.parse(saveCheckpoint(trainedAgent(), {}, { clock })) as EditableDocument;
  edit(doc);
  return JSON.stringify(doc);
}

describe('checkpoint', () => {
  it('round-trips: the loaded agent has bit-identical Q-values, the same config and the metadata', () => {
    const agent = trainedAgent();
    const text = saveCheckpoint(agent, { run: 'r-1', episodes: 12 }, { clock });
    const loaded = loadCheckpoint(text, SOURCE);
    expect(loaded.metadata).toEqual({ run: 'r-1', episodes: 12 });
    expect(loaded.createdAt).toBe('2025-01-31T12:00:00.000Z');
    expect(loaded.agent.config).toEqual(agent.config);
    const mdp = chainMdp(6);
    for (let s = 0; s < 6; s++) {
      const state = mdp.encode(s);
      expect(Array.from(loaded.agent.qValues(state))).toEqual(Array.from(agent.qValues(state)));
      expect(loaded.agent.greedy(state)).toBe(agent.greedy(state));
    }
    expect(Array.from(loaded.agent.targetNetwork.parameters)).toEqual(Array.from(agent.network.parameters));
  });

  it('stores the parameters as base64 of little-endian float32 in the documented layout', () => {
    const agent = trainedAgent();
    const doc = JSON.parse(saveCheckpoint(agent, {}, { clock })) as { format: string; version: number; network: { layers: number[]; parameters: string } };
    expect(doc.format).toBe('aset-dqn');
    expect(doc.version).toBe(1);
    expect(doc.network.layers).toEqual([6, 8, 2]);
    const bytes = Buffer.from(doc.network.parameters, 'base64');
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const decoded = Array.from({ length: bytes.byteLength / 4 }, (_, k) => view.getFloat32(4 * k, true));
    expect(decoded).toEqual(Array.from(agent.network.parameters));
  });

  it.each([
    ['not JSON', () => '{"format": "aset-dqn",', /^models\/agent\.json: \(root\): expected a JSON document \(.*; at line 1, column 23\)$/],
    ['not an object', () => '[1, 2]', /^models\/agent\.json: \(root\): expected a JSON object with format "aset-dqn"/],
    ['wrong format', () => edited((d) => (d.format = 'onnx')), /^models\/agent\.json: format: expected "aset-dqn", got "onnx"$/],
    ['wrong version', () => edited((d) => (d.version = 2)), /^models\/agent\.json: version: expected 1, got 2$/],
    ['missing version', () => edited((d) => delete d.version), /^models\/agent\.json: version: expected 1, got nothing$/],
    ['bad createdAt', () => edited((d) => (d.createdAt = 'yesterday')), /^models\/agent\.json: createdAt: expected an ISO 8601 date-time/],
    ['missing config field', () => edited((d) => delete d.config.stateSize), /^models\/agent\.json: config\.stateSize: .*expected number/],
    ['bad config value', () => edited((d) => (d.config.gamma = 2)), /^models\/agent\.json: config\.gamma: .*<=1/],
    ['unknown config key', () => edited((d) => (d.config.gama = 0.9)), /^models\/agent\.json: config: .*"gama"/],
    ['metadata not an object', () => edited((d) => (d.metadata = 'x')), /^models\/agent\.json: metadata: expected an object$/],
    ['parameters not a string', () => edited((d) => (d.network.parameters = [1, 2])), /^models\/agent\.json: network\.parameters: expected a base64 string/],
    [
      'layers disagreeing with the config',
      () => edited((d) => (d.network.layers = [6, 9, 2])),
      /^models\/agent\.json: network\.layers: expected \[stateSize, \.\.\.hidden, actionCount\] = \[6, 8, 2\] from config, got \[6, 9, 2\]$/,
    ],
    ['bad base64', () => edited((d) => (d.network.parameters = 'AAAA!AAA')), /^models\/agent\.json: network\.parameters: expected base64 \(characters/],
    [
      'parameter count not matching the layers',
      () => edited((d) => (d.network.parameters = Buffer.from(String(d.network.parameters), 'base64').subarray(4).toString('base64'))),
      /^models\/agent\.json: network\.parameters: expected 74 little-endian float32 values \(296 bytes\) for layers \[6, 8, 2\], got 292 bytes$/,
    ],
    [
      'non-finite parameter',
      () =>
        edited((d) => {
          const bytes = Buffer.from(String(d.network.parameters), 'base64');
          bytes.writeFloatLE(NaN, 12);
          d.network.parameters = bytes.toString('base64');
        }),
      /^models\/agent\.json: network\.parameters: value 3 is NaN; expected finite float32 values$/,
    ],
  ])('rejects %s with a specific error', (_, text, message) => {
    expect(() => loadCheckpoint(text(), SOURCE)).toThrow(message);
  });
});

import { ModelZoo, type Manifest } from '@aset/model-zoo';
import { parseScenario, type Scenario } from '@aset/scenario';

/**
 * A zoo for simulator tests: one task `t` (input 1x8x8) and variants with fixed profiled latencies
 * (every batch size taking `ms` unless `batchMs` says otherwise).
 * The simulator never opens model files, so none exist.
 */
export function syntheticZoo(variants: { id: string; accuracy: number; ms: number; batchMs?: { '2': number; '4': number; '8': number } }[]): ModelZoo {
  const manifest: Manifest = {
    schemaVersion: 1,
    tasks: {
      t: { description: 'synthetic', inputShape: [1, 8, 8], labels: ['a', 'b'], provenance: 'test', heldOut: { file: 'none.json', count: 1, sha256: '0'.repeat(64) } },
    },
    variants: variants.map((v) => ({
      id: v.id,
      task: 't',
      file: `${v.id}.onnx`,
      sha256: '0'.repeat(64),
      accuracy: v.accuracy,
      provenance: {},
      latencyMs: { host: 'test', profiledAt: '2026-01-01', threads: 1, batchMs: { '1': v.ms, ...(v.batchMs ?? { '2': v.ms, '4': v.ms, '8': v.ms }) } },
    })),
  };
  return ModelZoo.fromManifest(manifest, '/nonexistent');
}

/** Parses scenario YAML against a zoo; throws with every problem listed. */
export function scenarioFromYaml(yaml: string, zoo: ModelZoo): Scenario {
  const r = parseScenario(yaml, 'test.yaml', { zoo });
  if (!r.ok) throw new Error(r.problems.map((p) => `${p.path}: ${p.message}`).join('\n'));
  return r.scenario;
}

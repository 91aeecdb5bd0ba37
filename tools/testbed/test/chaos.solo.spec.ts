import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkpointPath } from '@aset/command-line';
import { chaosFaultsNamed } from '../src/chaos.catalog.js';
import { runChaos } from '../src/chaos.runner.js';

const QUERIES = 1500;

/**
 * Two of `npm run chaos`'s faults, as the tool runs them: a worker killed (SIGKILL) and brought
 * back by the testbed's supervisor, and the NATS hub killed and restarted with its JetStream file
 * store, each in a live run on the demo testbed (its own hub with TLS and a user per service, a
 * PostgreSQL of the chaos run's own), compared with a fault-free run of the same seed. The rest (a
 * worker paused, the scheduler killed with and without a replica, PostgreSQL down for 10 s, the
 * metrics store killed) are measured by `npm run -s chaos` and reported in docs/reliability.md.
 */
describe('chaos: faults in live runs', () => {
  const workDir = mkdtempSync(join(tmpdir(), 'aset-chaos-spec-'));
  chmodSync(workDir, 0o755);
  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  it('ends every query in exactly one record, loses and duplicates nothing, and recovers on its own', { timeout: 600_000 }, async () => {
    const report = await runChaos({
      faults: chaosFaultsNamed('worker-sigkill,nats-restart'),
      scenario: 'demo',
      policy: 'aset-direct',
      schedulerEnv: { ASET_CHECKPOINT: checkpointPath('demo', 'aset-direct') },
      queries: QUERIES,
      seed: 7,
      faultAtSec: 4,
      replyTimeoutMs: 2000,
      workDir,
      say: () => {},
    });
    expect(report.faults.map((f) => f.name)).toEqual(['worker-sigkill', 'nats-restart']);
    for (const f of report.faults) {
      const why = `${f.name}: ${JSON.stringify({ ...f, applied: undefined })}`;
      expect(f.runError, why).toBeUndefined();
      expect(f.applied.map((a) => a.error ?? 'ok'), why).toEqual(f.applied.map(() => 'ok'));
      expect(f.terminalRecords, why).toBe(QUERIES);
      expect(f.lost, why).toBe(0);
      expect(f.duplicated, why).toBe(0);
      expect(f.notRecovered, why).toEqual([]);
      expect(f.recovered, why).toBe(true);
      // The fault did strike: queries were sent inside its window, and some after it.
      expect(f.inWindow.queries, why).toBeGreaterThan(0);
      expect(f.afterWindow.queries, why).toBeGreaterThan(0);
    }
    const worker = report.faults.find((f) => f.name === 'worker-sigkill')!;
    expect(worker.supervisedRestarts.map((r) => [r.service, r.error ?? 'ok'])).toEqual([['worker-far-edge-1', 'ok']]);
    const nats = report.faults.find((f) => f.name === 'nats-restart')!;
    expect(nats.applied.map((a) => `${a.action} ${a.service}`)).toEqual(['kill nats-hub', 'restart nats-hub']);
  });
});

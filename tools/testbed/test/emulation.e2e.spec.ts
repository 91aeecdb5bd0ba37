import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { SubjectSpace } from '@aset/contracts';
import { uniqueTestPrefix } from '@aset/contracts/testing';
import { readZoo } from '@aset/model-zoo';
import { REPO_MANIFEST } from '@aset/model-zoo/testing';
import { readScenarioFile, transferMs } from '@aset/scenario';
import { createTestDatabase, dropTestDatabase, testNatsUrl } from '@aset/service-kit/testing';
import { Testbed } from '@aset/testbed';

const SCENARIO = fileURLToPath(new URL('./fixtures/emulation-probe.yaml', import.meta.url));

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: number[]) => Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2)));

/** The one-host emulation, checked on a live run of all services (network delays and hardware padding). */
describe('emulated network and hardware on a live run', () => {
  let testbed: Testbed;
  let db: { name: string; url: string };
  const prefix = uniqueTestPrefix('emu');
  const zoo = readZoo(REPO_MANIFEST);
  const scenario = readScenarioFile(SCENARIO, { zoo });

  beforeAll(async () => {
    db = await createTestDatabase('emu');
    testbed = await Testbed.start({
      scenario: SCENARIO,
      policy: 'closest',
      prefix,
      natsUrl: testNatsUrl(),
      databaseUrl: db.url,
      logDir: mkdtempSync(join(tmpdir(), 'aset-emu-logs-')),
      say: () => {},
    });
  });

  afterAll(async () => {
    await testbed?.stop();
    const nc = await connect({ servers: testNatsUrl() });
    await (await jetstreamManager(nc)).streams.delete(new SubjectSpace(prefix).streamName('records')).catch(() => {});
    await nc.close();
    if (db) await dropTestDatabase(db.name);
  });

  it('delays each query by its link (RTT, payload over bandwidth, jitter) and pads processing to the hardware class', async () => {
    await testbed.run({ runId: 'emu', queries: 160, warmupQueries: 0 });
    await testbed.waitIngested('emu');
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const { rows } = await client.query(
      `SELECT source, cluster_id, status, latency_ms, emulated_network_ms,
              extract(epoch FROM finished_at - started_at) * 1000 AS processing_ms
         FROM queries WHERE run_id = 'emu'`,
    );
    await client.end();
    expect(rows.every((r) => r.status === 'completed')).toBe(true);
    const app = scenario.app('reader')!;
    const profiledMs = zoo.processingMs(zoo.requireVariant('digits-cnn-m'), '1') ?? 0;

    for (const [source, cluster] of [['s-near', 'near'], ['s-far', 'far']] as const) {
      const mine = rows.filter((r) => r.source === source);
      expect(mine.length, source).toBeGreaterThan(50);
      expect(mine.every((r) => r.cluster_id === cluster), `closest cluster of ${source}`).toBe(true);
      const link = scenario.link(source, cluster);
      const expectedNetwork = link.rttMs + transferMs(link, app.payloadBytes!) + transferMs(link, app.replyBytes);
      const network = mine.map((r) => Number(r.emulated_network_ms));
      // Mean within 4 standard errors of the two-direction jitter; spread close to sqrt(2) * jitter.
      expect(Math.abs(mean(network) - expectedNetwork), `${source} network mean`).toBeLessThan((4 * Math.SQRT2 * link.jitterMs) / Math.sqrt(mine.length) + 0.05);
      expect(sd(network) / (Math.SQRT2 * link.jitterMs), `${source} jitter`).toBeGreaterThan(0.7);
      expect(sd(network) / (Math.SQRT2 * link.jitterMs), `${source} jitter`).toBeLessThan(1.3);

      const speed = scenario.hardwareOf(scenario.cluster(cluster)).speedFactor;
      const processing = mine.map((r) => Number(r.processing_ms));
      // Timers resolve to the millisecond (rounded): the emulated processing time is within about half a millisecond.
      expect(profiledMs).toBeGreaterThan(0);
      expect(Math.abs(median(processing) - Math.max(profiledMs * speed, 0)), `${cluster} processing`).toBeLessThan(0.7);
      // What is neither emulated network nor processing: NATS hops, the scheduler, queueing. How much
      // depends on the host's load, so only its sign is checked: no query ends sooner than its emulated
      // network and processing allow (up to the clocks' agreement between processes).
      const rest = mine.map((r) => Number(r.latency_ms) - Number(r.emulated_network_ms) - Number(r.processing_ms));
      expect(median(rest), `${source} overhead`).toBeGreaterThan(0);
      expect(Math.min(...rest), `${source} least overhead`).toBeGreaterThan(-0.5);
      // End to end: the emulated link and hardware dominate the latency.
      expect(median(mine.map((r) => Number(r.latency_ms))), `${source} latency`).toBeGreaterThan(expectedNetwork);
    }
  });
});

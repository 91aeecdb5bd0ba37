import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { INestApplication } from '@nestjs/common';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { InferenceQuerySchema, QueryRecordSchema, RunClockSchema, RunRecordSchema, SubjectSpace, type QueryRecord, type RunClock, type RunRecord } from '@aset/contracts';
import { buildArrivalSchedule } from '@aset/workload';
import { readScenarioFile } from '@aset/scenario';
import { uniqueTestPrefix } from '@aset/contracts/testing';
import { ServiceMetrics } from '@aset/service-kit';
import { createServiceApp, metricValue, promtoolFindings, testNatsUrl, useServiceTestEnv } from '@aset/service-kit/testing';
import type { RunReport } from '@aset/workload';

/**
 * The generator against a scripted scheduler on real NATS: every outcome kind (completed, dropped,
 * error reply, no reply) must become exactly one record of the right status on JetStream.
 */
describe('workload generator run (in-process, real NATS and JetStream)', () => {
  let app: INestApplication;
  let nc: NatsConnection;
  const prefix = uniqueTestPrefix('gen');
  const space = new SubjectSpace(prefix);
  const summaryFile = join(mkdtempSync(join(tmpdir(), 'aset-gen-')), 'summary.json');
  const clocks: RunClock[] = [];
  const created: number[] = [];
  // A Pushgateway stand-in: records each push (method, path, body).
  const pushes: { method: string; url: string; body: string }[] = [];
  let pushgateway: Server;

  beforeAll(async () => {
    pushgateway = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        pushes.push({ method: req.method ?? '', url: req.url ?? '', body });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => pushgateway.listen(0, '127.0.0.1', resolve));
    useServiceTestEnv(prefix, {
      PUSHGATEWAY_URL: `http://127.0.0.1:${(pushgateway.address() as AddressInfo).port}`,
      RUN_ID: 'gen-run',
      QUERIES: '80',
      WARMUP_QUERIES: '4',
      RATE_SCALE: '4',
      REPLY_TIMEOUT_MS: '300',
      RUN_POLICY: 'scripted',
      SUMMARY_FILE: summaryFile,
      PROGRESS: 'off',
    });
    nc = await connect({ servers: testNatsUrl() });
    // Query i: i % 4 == 0 completed (prediction 0), 1 dropped, 2 error reply, 3 no reply at all.
    nc.subscribe(space.subject('scheduleQuery'), {
      callback: (_e, m) => {
        const q = InferenceQuerySchema.parse(m.json());
        created.push(q.createdAt);
        const i = Number(q.queryId.slice(1));
        const decision = { clusterId: 'cloud-1', variantId: 'digits-cnn-m', policy: 'scripted', decidedAt: Date.now() };
        const replies = [
          { schemaVersion: 1, status: 'completed', queryId: q.queryId, decision, timing: { receivedAt: Date.now(), startedAt: Date.now(), finishedAt: Date.now(), emulatedNetworkMs: null }, prediction: 0 },
          { schemaVersion: 1, status: 'dropped', queryId: q.queryId, policy: 'scripted', reason: 'QUEUE_FULL', detail: 'full', decidedAt: Date.now() },
          { schemaVersion: 1, status: 'error', code: 'INFERENCE_FAILED', message: 'boom', queryId: q.queryId },
        ];
        if (i % 4 < 3) m.respond(JSON.stringify(replies[i % 4]));
      },
    });
    nc.subscribe(space.wildcard('runClock'), {
      callback: (_e, m) => {
        clocks.push(RunClockSchema.parse(m.json()));
      },
    });
    await nc.flush();
    const { validateGeneratorEnv } = await import('../src/generator.config.js');
    const { GeneratorModule } = await import('../src/generator.module.js');
    app = await createServiceApp(validateGeneratorEnv, (config) => GeneratorModule.forRoot(config));
    await app.init();
  });

  afterAll(async () => {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.delete(space.streamName('records')).catch(() => {});
    await nc?.close();
    await app?.close();
    pushgateway?.close();
  });

  it('publishes exactly one terminal record per query and brackets the run', async () => {
    const { WorkloadRun } = await import('../src/workload.run.js');
    const report = await app.get(WorkloadRun).execute();
    expect(report).toMatchObject({ runId: 'gen-run', queries: 80, warmupQueries: 4, recordsLost: 0 });
    expect(report.summary).toMatchObject({ queries: 80, completed: 20, dropped: 20, errors: 20, timedOut: 20 });
    expect((JSON.parse(readFileSync(summaryFile, 'utf8')) as RunReport).summary.queries).toBe(80);

    const js = jetstream(nc);
    const consumer = await js.consumers.get(space.streamName('records'));
    const records: QueryRecord[] = [];
    const runRecords: RunRecord[] = [];
    const batch = await consumer.fetch({ max_messages: 200, expires: 2000 });
    for await (const m of batch) {
      if (space.matches('runRecord', m.subject)) runRecords.push(RunRecordSchema.parse(m.json()));
      else records.push(QueryRecordSchema.parse(m.json()));
      if (records.length === 84 && runRecords.length === 2) break;
    }
    expect(runRecords.map((r) => r.kind)).toEqual(['started', 'finished']);
    expect(records).toHaveLength(84);
    expect(new Set(records.map((r) => r.queryId)).size).toBe(84);
    const byStatus = (s: string) => records.filter((r) => r.status === s && !r.warmup).length;
    expect([byStatus('completed'), byStatus('dropped'), byStatus('error'), byStatus('timed_out')]).toEqual([20, 20, 20, 20]);
    expect(records.filter((r) => r.warmup)).toHaveLength(4);
    const timedOut = records.find((r) => r.status === 'timed_out')!;
    expect(timedOut.latencyMs).toBeGreaterThanOrEqual(300);
    expect(records.find((r) => r.status === 'error')).toMatchObject({ reason: 'INFERENCE_FAILED', policy: null });
    const done = records.find((r) => r.status === 'completed')!;
    expect(done).toMatchObject({ clusterId: 'cloud-1', variantId: 'digits-cnn-m', prediction: 0 });
    expect(done.label).not.toBeNull();

    const metrics = await app.get(ServiceMetrics).registry.metrics();
    expect(metricValue(metrics, 'aset_queries_total', { status: 'timed_out' })).toBe(21);
    expect(metricValue(metrics, 'aset_queries_total', { status: 'dropped', policy: 'scripted' })).toBe(21);
    expect(metricValue(metrics, 'aset_query_latency_seconds_count', { policy: 'scripted' })).toBe(21);
    expect(promtoolFindings(metrics) ?? []).toEqual([]);

    // The final metrics outlive the process: in the run's finished record, and on the Pushgateway.
    const finished = runRecords[1];
    if (finished?.kind !== 'finished') throw new Error('no finished record');
    const family = (name: string) => finished.generatorMetrics?.find((f) => f.name === name);
    const timedOutCount = family('aset_queries_total')?.values.filter((v) => v.labels['status'] === 'timed_out').reduce((n, v) => n + v.value, 0);
    expect(timedOutCount).toBe(21);
    const latencyCount = family('aset_query_latency_seconds')?.values.filter((v) => v.metricName === 'aset_query_latency_seconds_count').reduce((n, v) => n + v.value, 0);
    expect(latencyCount).toBe(21);
    expect(finished.generatorMetrics?.every((f) => f.name.startsWith('aset_'))).toBe(true);
    expect(pushes).toHaveLength(1);
    expect(pushes[0]).toMatchObject({ method: 'PUT', url: '/metrics/job/aset-workload-generator/run_id/gen-run' });
    expect(metricValue(pushes[0]!.body, 'aset_query_latency_seconds_count', { policy: 'scripted' })).toBe(21);

    // The run clock: announced while the run went, then finished; its origin is the instant the
    // arrival schedule counts from, so that workers play the dynamics at the simulator's times.
    expect(clocks.length).toBeGreaterThanOrEqual(2);
    const scenario = readScenarioFile(process.env['SCENARIO_FILE'] ?? '');
    expect(clocks.every((c) => c.runId === 'gen-run' && c.scenario === scenario.name && c.originAt === clocks[0]!.originAt)).toBe(true);
    expect(clocks.at(-1)?.phase).toBe('finished');
    expect(clocks.slice(0, -1).every((c) => c.phase === 'running')).toBe(true);
    const schedule = buildArrivalSchedule(scenario, { count: 84, seed: scenario.spec.workload.seed, rateScale: 4 });
    expect(Math.min(...created) - clocks[0]!.originAt).toBeCloseTo(schedule.offsetMs[0] as number, 2);
  });
});

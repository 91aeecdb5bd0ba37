import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { INestApplication } from '@nestjs/common';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { InferenceQuerySchema, QueryRecordSchema, RunClockSchema, RunRecordSchema, SubjectSpace, type InferenceQuery, type QueryRecord, type RunClock, type RunRecord } from '@aset/contracts';
import { uniqueTestPrefix } from '@aset/contracts/testing';
import { createServiceApp, testNatsUrl, useServiceTestEnv } from '@aset/service-kit/testing';
import { mergeRunReports, type RunReport } from '@aset/workload';

/** What a query is, whoever sends it: its id, source, app, input and due time on the run's clock. */
interface SentQuery {
  queryId: string;
  source: string;
  app: string;
  input: InferenceQuery['input'];
  dueOffsetMs: number;
}

const SPLIT_VARIABLES = ['RUN_ID', 'SOURCES', 'RUN_PARTS', 'RUN_PART', 'RUN_START_AT', 'SUMMARY_FILE'];

/**
 * One run split over two generators (SOURCES ap-1 and ap-2 of the policy-lab scenario, one shared
 * RUN_START_AT) against a scheduler stand-in on real NATS: together the parts send exactly the
 * queries one generator sends for the same seed (ids, sources, inputs, due times on the run's clock),
 * each brackets its records with its part's run records, and their summaries merge into the run's.
 */
describe('a run split over two generators (in-process, real NATS and JetStream)', () => {
  const prefix = uniqueTestPrefix('split');
  const space = new SubjectSpace(prefix);
  const dir = mkdtempSync(join(tmpdir(), 'aset-split-'));
  const apps: INestApplication[] = [];
  let nc: NatsConnection;
  const received = new Map<string, InferenceQuery[]>();
  const clocks: RunClock[] = [];

  /** A generator app for `env` on top of the common run settings (the same seed, queries and rate for every run). */
  async function generator(env: Record<string, string>): Promise<INestApplication> {
    for (const name of SPLIT_VARIABLES) delete process.env[name];
    useServiceTestEnv(prefix, { QUERIES: '150', WARMUP_QUERIES: '6', RATE_SCALE: '4', SEED: '21', REPLY_TIMEOUT_MS: '2000', PROGRESS: 'off', ...env });
    const { validateGeneratorEnv } = await import('../src/generator.config.js');
    const { GeneratorModule } = await import('../src/generator.module.js');
    const app = await createServiceApp(validateGeneratorEnv, (config) => GeneratorModule.forRoot(config));
    apps.push(app);
    await app.init();
    return app;
  }

  async function execute(app: INestApplication): Promise<RunReport> {
    const { WorkloadRun } = await import('../src/workload.run.js');
    return app.get(WorkloadRun).execute();
  }

  const originOf = (runId: string) => {
    const origins = new Set(clocks.filter((c) => c.runId === runId).map((c) => c.originAt));
    expect(origins.size, `one clock origin for run ${runId}`).toBe(1);
    return [...origins][0] as number;
  };
  const sent = (runId: string): SentQuery[] => {
    const origin = originOf(runId);
    return (received.get(runId) ?? [])
      .map((q) => ({ queryId: q.queryId, source: q.source, app: q.app, input: q.input, dueOffsetMs: q.createdAt - origin }))
      .sort((a, b) => a.queryId.localeCompare(b.queryId));
  };

  beforeAll(async () => {
    nc = await connect({ servers: testNatsUrl() });
    // Every query completes, predicting 0.
    nc.subscribe(space.subject('scheduleQuery'), {
      callback: (_e, m) => {
        const q = InferenceQuerySchema.parse(m.json());
        const ofRun = received.get(q.runId) ?? [];
        received.set(q.runId, ofRun);
        ofRun.push(q);
        const decision = { clusterId: 'cloud-1', variantId: 'digits-cnn-m', policy: 'scripted', decidedAt: Date.now() };
        m.respond(JSON.stringify({ schemaVersion: 1, status: 'completed', queryId: q.queryId, decision, timing: { receivedAt: Date.now(), startedAt: Date.now(), finishedAt: Date.now(), emulatedNetworkMs: null }, prediction: 0 }));
      },
    });
    nc.subscribe(space.wildcard('runClock'), {
      callback: (_e, m) => {
        clocks.push(RunClockSchema.parse(m.json()));
      },
    });
    await nc.flush();
  });

  afterAll(async () => {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.delete(space.streamName('records')).catch(() => {});
    await nc?.close();
    for (const app of apps) await app.close();
  });

  it('sends, over both parts, exactly the queries of one generator, and brackets each part', { timeout: 60_000 }, async () => {
    const whole = await execute(await generator({ RUN_ID: 'whole', SUMMARY_FILE: join(dir, 'whole.json') }));
    // The shared start: far enough ahead for both parts to be up (they refuse one in the past).
    const startAt = Date.now() + 4_000;
    const split = { RUN_ID: 'split', RUN_PARTS: '2', RUN_START_AT: String(startAt) };
    const partA = await generator({ ...split, RUN_PART: 'site-a', SOURCES: 'ap-1', SUMMARY_FILE: join(dir, 'a.json') });
    const partB = await generator({ ...split, RUN_PART: 'site-b', SOURCES: 'ap-2', SUMMARY_FILE: join(dir, 'b.json') });
    const [a, b] = await Promise.all([execute(partA), execute(partB)]);

    // The same queries: ids, sources, apps, inputs and due times on the run's clock.
    const wholeQueries = sent('whole');
    expect(wholeQueries).toHaveLength(156);
    expect(originOf('split')).toBe(startAt);
    const splitQueries = sent('split');
    // Due times agree to the resolution of epoch ms held in a double (~0.25 us near 2e12).
    const exceptDue = (qs: SentQuery[]) => qs.map(({ dueOffsetMs: _, ...q }) => q);
    expect(exceptDue(splitQueries)).toEqual(exceptDue(wholeQueries));
    const dueGaps = splitQueries.map((q, i) => Math.abs(q.dueOffsetMs - wholeQueries[i]!.dueOffsetMs));
    expect(Math.max(...dueGaps)).toBeLessThan(0.001);
    expect(new Set(wholeQueries.map((q) => Math.round(q.dueOffsetMs))).size, 'due times differ from query to query').toBeGreaterThan(100);
    expect(new Set(received.get('split')!.filter((q) => q.source === 'ap-1').map((q) => q.queryId))).toEqual(new Set(wholeQueries.filter((q) => q.source === 'ap-1').map((q) => q.queryId)));
    expect(a.part).toEqual({ id: 'site-a', count: 2, sources: ['ap-1'] });
    expect(a.summary.queries + a.warmupQueries).toBe(wholeQueries.filter((q) => q.source === 'ap-1').length);
    expect(b.summary.queries + b.warmupQueries).toBe(wholeQueries.filter((q) => q.source === 'ap-2').length);

    // Each part's clock: the run's origin, its part, and finished at the end.
    for (const id of ['site-a', 'site-b']) {
      const own = () => clocks.filter((c) => c.runId === 'split' && c.part?.id === id);
      // Events: the last one may still be on its way when the run returns.
      await expect.poll(() => own().at(-1)?.phase, { timeout: 5_000 }).toBe('finished');
      expect(own().length).toBeGreaterThanOrEqual(2);
      expect(own().every((c) => c.part?.count === 2 && c.originAt === startAt)).toBe(true);
      expect(own().filter((c) => c.phase === 'finished')).toHaveLength(1);
    }
    expect(clocks.filter((c) => c.runId === 'whole').every((c) => c.part === undefined)).toBe(true);

    // The records on JetStream: one per query; the parts' run records under their own message ids.
    const js = jetstream(nc);
    const consumer = await js.consumers.get(space.streamName('records'));
    const runRecords: { msgId: string | undefined; record: RunRecord }[] = [];
    const queryRecords: QueryRecord[] = [];
    const batch = await consumer.fetch({ max_messages: 1000, expires: 2000 });
    for await (const m of batch) {
      if (space.matches('runRecord', m.subject)) runRecords.push({ msgId: m.headers?.get('Nats-Msg-Id'), record: RunRecordSchema.parse(m.json()) });
      else queryRecords.push(QueryRecordSchema.parse(m.json()));
      if (queryRecords.length === 312 && runRecords.length === 6) break;
    }
    expect(runRecords.map((r) => r.msgId).sort()).toEqual(['split.site-a.finished', 'split.site-a.started', 'split.site-b.finished', 'split.site-b.started', 'whole.finished', 'whole.started']);
    const finished = runRecords.map((r) => r.record).filter((r) => r.kind === 'finished' && r.runId === 'split');
    expect(finished.map((r) => (r.kind === 'finished' ? [r.part?.id, r.queryCount] : [])).sort()).toEqual([
      ['site-a', a.summary.queries + a.warmupQueries],
      ['site-b', b.summary.queries + b.warmupQueries],
    ]);
    const started = runRecords.map((r) => r.record).find((r) => r.kind === 'started' && r.runId === 'split' && r.part?.id === 'site-b');
    expect(started).toMatchObject({ startedAt: startAt, part: { id: 'site-b', count: 2, sources: ['ap-2'] }, parameters: { queries: 150, warmupQueries: 6 } });
    const ids = (runId: string) => queryRecords.filter((r) => r.runId === runId).map((r) => r.queryId).sort();
    expect(ids('split')).toEqual(ids('whole'));
    expect(ids('split')).toHaveLength(156);

    // The parts' summaries merge into the run's.
    const reports = ['a.json', 'b.json'].map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as RunReport);
    const merged = mergeRunReports(reports);
    const wholeFile = JSON.parse(readFileSync(join(dir, 'whole.json'), 'utf8')) as RunReport;
    expect(wholeFile.part).toBeUndefined();
    const counts = (r: RunReport) => ({ queries: r.queries, warmupQueries: r.warmupQueries, recordsLost: r.recordsLost, completed: r.summary.completed, byVariant: r.byVariant, predictionAccuracy: r.predictionAccuracy });
    expect(counts(merged)).toEqual(counts(whole));
    expect(merged.completedLatenciesMs).toHaveLength(150);
  });

  it('refuses SOURCES the scenario lacks and a RUN_START_AT in the past, naming them', async () => {
    await expect(generator({ SOURCES: 'ap-1,ap-7' })).rejects.toThrow(/SOURCES is "ap-1,ap-7": "ap-7" is not a source of scenario policy-lab; .*: ap-1, ap-2/);
    await expect(generator({ RUN_ID: 'late', RUN_PARTS: '2', RUN_PART: 'a', SOURCES: 'ap-1', RUN_START_AT: String(Date.now() - 60_000) })).rejects.toThrow(/RUN_START_AT is \d+ \(.*\): already \d+\.\d s in the past/);
  });
});

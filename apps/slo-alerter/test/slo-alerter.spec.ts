import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { INestApplication } from '@nestjs/common';
import { sampleQueryRecord, uniqueTestPrefix } from '@aset/contracts/testing';
import { MessageBus } from '@aset/messaging';
import { ServiceMetrics } from '@aset/service-kit';
import { createServiceApp, metricValue, promtoolFindings, testNatsUrl, useServiceTestEnv } from '@aset/service-kit/testing';
import { SloAlertConsumer } from '../src/slo-alert.consumer.js';

describe('slo-alerter (in-process, real NATS JetStream)', () => {
  let app: INestApplication;
  let publisher: MessageBus;
  const prefix = uniqueTestPrefix('alerter');

  beforeAll(async () => {
    useServiceTestEnv(prefix, { SLO_WINDOW: '20', SLO_MIN_SUCCESS: '0.8' });
    publisher = await MessageBus.connect({ servers: testNatsUrl(), prefix, name: 'alerter-test', logger: { log() {}, warn() {}, error() {} } });
    await publisher.ensureStream('records');
    const { validateSloAlerterEnv } = await import('../src/slo-alerter.config.js');
    const { SloAlerterModule } = await import('../src/slo-alerter.module.js');
    app = await createServiceApp(validateSloAlerterEnv, (config) => SloAlerterModule.forRoot(config));
    await app.init();
  });

  afterAll(async () => {
    await app?.close();
    await publisher?.close();
  });

  let sent = 0;
  const publish = async (runId: string, app: string, verdicts: boolean[], warmup = false) => {
    for (const sloMet of verdicts) {
      const record = sampleQueryRecord({ runId, app, queryId: `q-${sent++}`, sloMet, warmup });
      await publisher.publishDurable('queryRecord', { runId }, record, `${runId}.${record.queryId}`);
    }
  };

  it('fires for the (run, app) whose window falls below SLO_MIN_SUCCESS, not for the others, and ignores warm-up', async () => {
    const alerter = app.get(SloAlertConsumer);
    await publish('run-1', 'warm', Array(20).fill(false), true);
    await publish('run-1', 'ar', Array.from({ length: 20 }, (_, i) => i % 2 === 0)); // 50%: fires
    await publish('run-1', 'vr', Array.from({ length: 20 }, (_, i) => i % 10 !== 0)); // 90%: quiet
    const metrics = () => app.get(ServiceMetrics).registry.metrics();
    // The last record published is vr's 20th: once the gauge shows it, everything before it was seen.
    await expect.poll(async () => metricValue(await metrics(), 'aset_slo_window_success_ratio', { run: 'run-1', app: 'vr' }), { timeout: 10_000 }).toBeCloseTo(0.9);
    expect(alerter.firing()).toEqual([{ runId: 'run-1', app: 'ar', successRatio: 0.5 }]);
    expect(metricValue(await metrics(), 'aset_slo_alerts_total', { app: 'ar' })).toBe(1);
    expect(metricValue(await metrics(), 'aset_slo_window_success_ratio', { run: 'run-1', app: 'warm' })).toBeUndefined();
    // Prometheus's naming conventions (checked where promtool is installed).
    expect(promtoolFindings(await metrics()) ?? []).toEqual([]);
  });

  it('resolves once the app recovers', async () => {
    const alerter = app.get(SloAlertConsumer);
    await publish('run-1', 'ar', Array(20).fill(true));
    await expect.poll(() => alerter.firing(), { timeout: 10_000 }).toEqual([]);
  });
});

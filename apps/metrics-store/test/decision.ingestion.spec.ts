import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DecisionRecord } from '@aset/contracts';
import { DecisionReportSchema } from '../src/reporting/report-responses.schema.js';
import { startStore, type StoreHarness } from './metrics-store.harness.js';

const T0 = 1_764_000_000_000;

describe('decision records through the durable consumer into scheduling_decisions', () => {
  let store: StoreHarness;

  beforeAll(async () => {
    store = await startStore('decisioningest');
  });

  afterAll(async () => {
    await store?.close();
  });

  it('stores each step once, even when republished, and drops invalid ones', async () => {
    const { bus } = store;
    const runId = 'run-x';
    const subject = bus.subject('decisionRecord', { runId });
    const decision = (step: number, chosen = 'closest'): DecisionRecord => ({
      schemaVersion: 1, runId, schedulerId: 's1', policy: 'aset', chosen, step, stepMs: 1000, at: T0 + step * 1000, observedSuccessRatio: 0.5,
    });
    for (let step = 0; step < 5; step++) await bus.publishDurable('decisionRecord', { runId }, decision(step), `${runId}.${step}`);
    const count = async () => Number((await store.sql.query(`SELECT count(*) AS n FROM scheduling_decisions WHERE run_id = $1`, [runId])).rows[0].n);
    await expect.poll(count, { timeout: 10_000 }).toBe(5);
    // Once step 2 is stored, a republished step 2 (another message id, another choice) adds nothing.
    // (Published together, the two could land in batches written concurrently, in either order.)
    await bus.publishDurable('decisionRecord', { runId }, decision(2, 'random'), `${runId}.2.again`);
    await store.publishRawDurable(subject, JSON.stringify({ ...decision(9), observedSuccessRatio: 3 }));
    await expect
      .poll(async () => (await (await fetch(`${store.base}/metrics`)).text()).includes(`aset_bus_invalid_messages_total{subject="${subject}",service="metrics-store"} 1`))
      .toBe(true);
    // The invalid record came after the republished one: both have been handled by now.
    expect(await count()).toBe(5);
    const report = DecisionReportSchema.parse(await (await fetch(`${store.base}/runs/${runId}/decisions`)).json());
    expect(report.decisions.map((d) => [d.step, d.chosen])).toEqual([0, 1, 2, 3, 4].map((step) => [step, 'closest']));
  });
});

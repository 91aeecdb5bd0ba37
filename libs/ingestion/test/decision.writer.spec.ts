import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { DataSource } from 'typeorm';
import type { DecisionRecord } from '@aset/contracts';
import { createTestDatabase, dropTestDatabase } from '@aset/service-kit/testing';
import { metricsDataSourceOptions, writeDecisions } from '../src/index.js';

const T0 = 1_764_000_000_000;

function decision(step: number, overrides: Partial<DecisionRecord> = {}): DecisionRecord {
  return {
    schemaVersion: 1,
    runId: 'run-d',
    schedulerId: 'sched-1',
    policy: 'aset',
    chosen: step % 2 === 0 ? 'closest' : 'latency-aware',
    step,
    stepMs: 1000,
    at: T0 + step * 1000 + 0.25,
    observedSuccessRatio: step / 10,
    ...overrides,
  };
}

describe('writeDecisions (scheduling_decisions)', () => {
  let db: DataSource;
  let dbName: string;
  let url: string;

  beforeAll(async () => {
    const testDb = await createTestDatabase('decisions');
    dbName = testDb.name;
    url = testDb.url;
    db = new DataSource(metricsDataSourceOptions(testDb.url));
    await db.initialize();
    await db.runMigrations({ transaction: 'all' });
  });

  afterAll(async () => {
    await db?.destroy();
    await dropTestDatabase(dbName);
  });

  const stored = async (runId: string) =>
    (await db.query(
      `SELECT run_id, scheduler_id, policy, chosen, step, step_ms, extract(epoch FROM at)::float8 * 1000 AS at_ms, observed_success_ratio
         FROM scheduling_decisions WHERE run_id = $1 ORDER BY scheduler_id, step`,
      [runId],
    )) as Record<string, unknown>[];

  it('writes one row per record, with every field', async () => {
    expect(await writeDecisions(db, [decision(0), decision(1), decision(2)])).toBe(3);
    expect(await stored('run-d')).toEqual([0, 1, 2].map((step) => ({
      run_id: 'run-d',
      scheduler_id: 'sched-1',
      policy: 'aset',
      chosen: step % 2 === 0 ? 'closest' : 'latency-aware',
      step,
      step_ms: 1000,
      at_ms: T0 + step * 1000 + 0.25,
      observed_success_ratio: step / 10,
    })));
  });

  it('is idempotent: a redelivered step is ignored (the first write wins), also within one batch', async () => {
    expect(await writeDecisions(db, [decision(1, { chosen: 'random' }), decision(3), decision(3, { chosen: 'random' })])).toBe(1);
    const rows = await stored('run-d');
    expect(rows.map((r) => [r['step'], r['chosen']])).toEqual([[0, 'closest'], [1, 'latency-aware'], [2, 'closest'], [3, 'latency-aware']]);
  });

  it('keys steps by run and scheduler', async () => {
    expect(await writeDecisions(db, [decision(0, { schedulerId: 'sched-2' }), decision(0, { runId: 'run-e' })])).toBe(2);
    expect(await stored('run-e')).toHaveLength(1);
  });

  it('joins the caller\'s transaction: nothing is written when it rolls back', async () => {
    await expect(
      db.transaction(async (tx) => {
        expect(await writeDecisions(tx, [decision(0, { runId: 'run-f' })])).toBe(1);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await stored('run-f')).toEqual([]);
  });

  it('writes through a node-postgres client, inside its transaction', async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query('BEGIN');
      expect(await writeDecisions(client, [decision(0, { runId: 'run-h' }), decision(1, { runId: 'run-h' })])).toBe(2);
      expect(await stored('run-h')).toEqual([]);
      await client.query('COMMIT');
    } finally {
      await client.end();
    }
    expect(await stored('run-h')).toHaveLength(2);
  });

  it('writes nothing for an empty batch, and refuses a batch the schema rejects as a whole', async () => {
    expect(await writeDecisions(db, [])).toBe(0);
    await expect(writeDecisions(db, [decision(0, { runId: 'run-g' }), decision(1, { runId: 'run-g', observedSuccessRatio: 2 })])).rejects.toThrow(/check constraint/);
    expect(await stored('run-g')).toEqual([]);
  });
});

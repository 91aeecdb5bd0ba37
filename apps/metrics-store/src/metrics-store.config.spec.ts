import { describe, expect, it } from 'vitest';
import { validateMetricsStoreEnv } from './metrics-store.config.js';

const url = 'postgres://postgres@127.0.0.1:5432/aset';

describe('metrics store configuration', () => {
  it('defaults the ingestion tuning and coerces given values', () => {
    expect(validateMetricsStoreEnv({ DATABASE_URL: url })).toMatchObject({ INGEST_MAX_BATCH: 5000, INGEST_PULL_AHEAD: 10000, INGEST_MAX_IN_FLIGHT: 2, HTTP_PORT: 8080 });
    expect(validateMetricsStoreEnv({ DATABASE_URL: url, INGEST_MAX_BATCH: '200', INGEST_MAX_IN_FLIGHT: '2' })).toMatchObject({ INGEST_MAX_BATCH: 200, INGEST_MAX_IN_FLIGHT: 2 });
  });

  it('names each bad variable and its expected form', () => {
    expect(() => validateMetricsStoreEnv({})).toThrow(/DATABASE_URL/);
    expect(() => validateMetricsStoreEnv({ DATABASE_URL: url, INGEST_PULL_AHEAD: '50000' })).toThrow(/INGEST_PULL_AHEAD.*1-20000/s);
    expect(() => validateMetricsStoreEnv({ DATABASE_URL: url, INGEST_MAX_IN_FLIGHT: '0' })).toThrow(/INGEST_MAX_IN_FLIGHT.*1-8/s);
    expect(() => validateMetricsStoreEnv({ DATABASE_URL: url, INGEST_MAX_BATCH: 'lots' })).toThrow(/INGEST_MAX_BATCH.*1-50000/s);
  });
});

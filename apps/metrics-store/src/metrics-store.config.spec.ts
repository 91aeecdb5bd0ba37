import { describe, expect, it } from 'vitest';
import { isLoopbackHost, validateMetricsStoreEnv } from './metrics-store.config.js';

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

  it('keeps the reports open on the loopback default, and requires REPORTS_TOKEN (32+ characters) when bound elsewhere', () => {
    const token = 'x'.repeat(32);
    expect(validateMetricsStoreEnv({ DATABASE_URL: url })).toMatchObject({ HTTP_HOST: '127.0.0.1', REPORTS_TOKEN: undefined });
    expect(validateMetricsStoreEnv({ DATABASE_URL: url, HTTP_HOST: 'localhost', REPORTS_TOKEN: '' }).REPORTS_TOKEN).toBeUndefined();
    for (const host of ['0.0.0.0', '::', '10.0.0.7', 'metrics.example.org']) {
      expect(() => validateMetricsStoreEnv({ DATABASE_URL: url, HTTP_HOST: host }), host).toThrow(new RegExp(`REPORTS_TOKEN is not set: required because HTTP_HOST "${host.replace(/\./g, '\\.')}" is not a loopback address`));
      expect(validateMetricsStoreEnv({ DATABASE_URL: url, HTTP_HOST: host, REPORTS_TOKEN: token }).REPORTS_TOKEN).toBe(token);
    }
    expect(() => validateMetricsStoreEnv({ DATABASE_URL: url, HTTP_HOST: '0.0.0.0', REPORTS_TOKEN: '' })).toThrow(/REPORTS_TOKEN is not set/);
    const short = () => validateMetricsStoreEnv({ DATABASE_URL: url, HTTP_HOST: '0.0.0.0', REPORTS_TOKEN: 'change-me' });
    expect(short).toThrow(/REPORTS_TOKEN is \(hidden\): .*at least 32 characters/s);
    expect(short).not.toThrow(/change-me/);
  });

  it('tells loopback hosts from the others', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', 'LOCALHOST', '::1', '[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1']) expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ['0.0.0.0', '::', '192.168.1.10', '128.0.0.1', 'localhost.example.org', '::ffff:10.0.0.1']) expect(isLoopbackHost(host), host).toBe(false);
  });

  it('checks REPORTS_DATABASE_URL when given', () => {
    expect(validateMetricsStoreEnv({ DATABASE_URL: url, REPORTS_DATABASE_URL: 'postgres://aset_reports:pw@127.0.0.1/aset' }).REPORTS_DATABASE_URL).toBe('postgres://aset_reports:pw@127.0.0.1/aset');
    expect(() => validateMetricsStoreEnv({ DATABASE_URL: url, REPORTS_DATABASE_URL: 'mysql://x' })).toThrow(/REPORTS_DATABASE_URL is \(hidden\): not a PostgreSQL URL/);
  });
});

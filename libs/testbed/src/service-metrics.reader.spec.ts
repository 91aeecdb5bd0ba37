import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readServiceMetric } from './service-metrics.reader.js';

describe('readServiceMetric', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    server = createServer((_, res) => {
      res.end(['# HELP aset_scheduler_live_clusters clusters', 'aset_scheduler_live_clusters_total 9', 'aset_scheduler_live_clusters{service="scheduler"} 4', 'nodejs_heap_size_total_bytes 5.5e7', ''].join('\n'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('reads the named series with or without labels, not one whose name only starts the same', async () => {
    expect(await readServiceMetric(url, 'aset_scheduler_live_clusters')).toBe(4);
    expect(await readServiceMetric(url, 'nodejs_heap_size_total_bytes')).toBe(55_000_000);
  });

  it('is undefined for a metric not exposed, or a service that does not answer', async () => {
    expect(await readServiceMetric(url, 'aset_missing')).toBeUndefined();
    expect(await readServiceMetric('http://127.0.0.1:1', 'aset_scheduler_live_clusters')).toBeUndefined();
  });
});

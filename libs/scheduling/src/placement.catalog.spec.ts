import { describe, expect, it } from 'vitest';
import { readZoo } from '@aset/model-zoo';
import { REPO_MANIFEST } from '@aset/model-zoo/testing';
import { parseScenario } from '@aset/scenario';
import { repoPolicyContext } from './testing.js';
import { PlacementCatalog, serviceEstimateMs } from './placement.catalog.js';

const zoo = readZoo(REPO_MANIFEST);

function catalogOf(batching: string): PlacementCatalog {
  const parsed = parseScenario(
    `
schemaVersion: 1
name: batching-estimates
hardwareClasses: { slow: { speedFactor: 3 } }
clusters: [{ id: c, tier: cloud, hardware: slow, slots: 2, variants: [digits-mlp-s, digits-cnn-m] ${batching} }]
sources: [{ id: s }]
links: [{ source: s, cluster: c, rttMs: 2, bandwidthMbps: 1000, jitterMs: 0 }]
applications: [{ id: a, task: digits, slo: { maxLatencyMs: 100, minAccuracy: 0.5 } }]
workload: { queries: 10, arrivals: [{ source: s, app: a, process: { kind: poisson, ratePerSec: 10 } }] }
`,
    'test.yaml',
    { zoo },
  );
  if (!parsed.ok) throw new Error(parsed.problems.map((p) => p.message).join('; '));
  return new PlacementCatalog(parsed.scenario, zoo);
}

describe('the placement catalog with dynamic batching', () => {
  const cnn = zoo.requireVariant('digits-cnn-m');
  const profile = cnn.latencyMs?.batchMs as Record<'1' | '2' | '4' | '8', number>;

  it('gives each hosted variant its rule, its batch times on the cluster (interpolated between profiled sizes) and its slot time per query', () => {
    const catalog = catalogOf(', batching: { digits-cnn-m: { maxBatchSize: 6, maxQueueDelayMs: 2 } }');
    const [mlp, batched] = [...catalog.options(0, 'digits')].sort((a, b) => a.variantIndex - b.variantIndex);
    expect(mlp).toMatchObject({ variantIndex: 0, batching: { maxBatchSize: 1, maxQueueDelayMs: 0 } });
    expect(mlp?.drainMs).toBe(mlp?.processingMs);
    expect(batched).toMatchObject({ variantIndex: 1, batching: { maxBatchSize: 6, maxQueueDelayMs: 2 } });
    expect(batched?.batchMs[1]).toBe(batched?.processingMs);
    expect(batched?.batchMs[4]).toBeCloseTo(profile['4'] * 3, 12);
    expect(batched?.batchMs[6]).toBeCloseTo(((profile['4'] + profile['8']) / 2) * 3, 12);
    expect(batched?.drainMs).toBeCloseTo((((profile['4'] + profile['8']) / 2) * 3) / 6, 12);
  });

  it('estimates the service time: unchanged without batching; with it, the queue drains at full batches, and a batch the queue cannot fill waits its delay', () => {
    const plain = catalogOf('').options(0, 'digits').find((o) => o.variant.id === 'digits-cnn-m');
    const hosted = catalogOf(', batching: { digits-cnn-m: { maxBatchSize: 4, maxQueueDelayMs: 2 } }')
      .options(0, 'digits')
      .find((o) => o.variant.id === 'digits-cnn-m');
    if (!plain || !hosted) throw new Error('digits-cnn-m is hosted');
    for (const waiting of [0, 1, 7]) expect(serviceEstimateMs(plain, waiting, 2)).toBe((waiting / 2 + 1) * plain.processingMs);
    expect(serviceEstimateMs(hosted, 0, 2)).toBeCloseTo(profile['1'] * 3 + 2, 12);
    expect(serviceEstimateMs(hosted, 1, 2)).toBeCloseTo((1 / 2) * ((profile['4'] * 3) / 4) + profile['2'] * 3 + 2, 12);
    expect(serviceEstimateMs(hosted, 9, 2)).toBeCloseTo((9 / 2) * ((profile['4'] * 3) / 4) + profile['4'] * 3, 12);
  });

  it('refuses batching for a variant the cluster does not host, and a batch past the largest profiled size', () => {
    expect(() => catalogOf(', batching: { digits-linear-xs: { maxBatchSize: 2, maxQueueDelayMs: 1 } }')).toThrow(/variant "digits-linear-xs" is not hosted by cluster c/);
    expect(() => catalogOf(', batching: { digits-cnn-m: { maxBatchSize: 9, maxQueueDelayMs: 1 } }')).toThrow(/8/);
  });
});

describe('the placement catalog rows per source', () => {
  const { scenario, catalog } = repoPolicyContext();

  it('gives each source the nominal one-way jitter of its link to each cluster, built once', () => {
    for (let s = 0; s < scenario.sources.length; s++) {
      const row = catalog.jitterRow(s);
      expect([...row]).toEqual(scenario.clusters.map((_, c) => scenario.linkAt(s, c).jitterMs));
      expect(catalog.jitterRow(s)).toBe(row);
    }
  });

  it('gives each cluster its mean nominal RTT over the sources, at least 1 ms, built once', () => {
    const rtt = catalog.nominalRttMs;
    scenario.clusters.forEach((_, c) => {
      let sum = 0;
      for (let s = 0; s < scenario.sources.length; s++) sum += scenario.linkAt(s, c).rttMs;
      expect(rtt[c]).toBe(Math.max(1, sum / scenario.sources.length));
    });
    expect(catalog.nominalRttMs).toBe(rtt);
  });
});

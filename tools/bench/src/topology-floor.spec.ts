import { afterEach, describe, expect, it } from 'vitest';
import { sampleQuery } from '@aset/contracts/testing';
import { readScenarioFile } from '@aset/scenario';
import { readZoo } from '@aset/model-zoo';
import { DEFAULT_MANIFEST, scenarioPath } from '@aset/command-line';
import { TopologyFloor, judgeFloorRun } from './topology-floor.run.js';

const natsUrl = () => process.env['ASET_TEST_NATS_URL'] ?? 'nats://127.0.0.1:4222';
const scenario = () => readScenarioFile(scenarioPath('pipeline'), { zoo: readZoo(DEFAULT_MANIFEST) });

describe('judgeFloorRun', () => {
  it('passes a run where every query was answered within the p99 bound', () => {
    const run = judgeFloorRun({ ratePerSec: 100, sent: 4, latenciesMs: [1, 2, 3, 4], p99BoundMs: 50 });
    expect(run).toMatchObject({ pass: true, timedOut: 0, queriesSent: 4, failures: [] });
    expect(run.meanMs).toBe(2.5);
  });

  it('fails a run with unanswered queries, or a p99 over the bound, and says which', () => {
    expect(judgeFloorRun({ ratePerSec: 100, sent: 5, latenciesMs: [1, 2, 3, 4], p99BoundMs: 50 })).toMatchObject({ pass: false, timedOut: 1, failures: ['1 of 5 not answered in time'] });
    const slow = judgeFloorRun({ ratePerSec: 100, sent: 2, latenciesMs: [1, 80], p99BoundMs: 50 });
    expect(slow.pass).toBe(false);
    expect(slow.failures[0]).toMatch(/^p99 \d+\.\d ms over 50 ms$/);
    expect(judgeFloorRun({ ratePerSec: 100, sent: 3, latenciesMs: [], p99BoundMs: 50 }).failures).toEqual(['3 of 3 not answered in time', 'p99 NaN ms over 50 ms']);
  });
});

describe('TopologyFloor on the real NATS server', () => {
  let floor: TopologyFloor | undefined;
  afterEach(async () => {
    await floor?.stop();
    floor = undefined;
  });

  it("carries the pipeline scenario's arrivals through a scheduler and one worker per cluster, each its own process", async () => {
    const s = scenario();
    floor = await TopologyFloor.start(natsUrl(), s, sampleQuery());
    expect(floor.processes).toHaveLength(1 + s.clusters.length);
    const run = await floor.run(400, 300, 1000, Number.POSITIVE_INFINITY);
    expect(run).toMatchObject({ queriesSent: 300, timedOut: 0, pass: true });
    // Each process's CPU over the run, per query: the generator's own is never zero (it sent them).
    expect(Object.keys(run.cpuUsPerQuery).sort()).toEqual(['generator', 'scheduler', 'worker-0', 'worker-1']);
    expect(run.cpuUsPerQuery['generator']).toBeGreaterThan(0);
  });

  it('counts the queries a dead worker never answers as not answered in time', async () => {
    floor = await TopologyFloor.start(natsUrl(), scenario(), sampleQuery());
    const worker = floor.processes[2];
    const exited = new Promise((resolve) => worker?.once('exit', resolve));
    worker?.kill();
    await exited;
    const run = await floor.run(400, 100, 1000, Number.POSITIVE_INFINITY);
    // Round-robin over two workers: every second query goes to the dead one.
    expect(run.timedOut).toBe(50);
    expect(run.pass).toBe(false);
  });

  it('refuses to start without a NATS server, naming the service that could not connect', async () => {
    await expect(TopologyFloor.start('nats://127.0.0.1:1', scenario(), sampleQuery())).rejects.toThrow(/topology floor scheduler 2 exited \(1\) before it was ready: .*topology-floor probe failed/s);
  });
});

import { describe, expect, it } from 'vitest';
import { sampleQuery } from '@aset/contracts/testing';
import { loadHeldOut, readZoo } from '@aset/model-zoo';
import { REPO_MANIFEST } from '@aset/model-zoo/testing';
import { InputSampler } from './input.sampler.js';
import { percentile } from './latency.summary.js';
import { buildQueryRecord, queryEndOf, type ReplyOutcome } from './query-record.builder.js';
import { RunReportBuilder } from './run.report.js';
import { sloMet } from './slo.verdict.js';

const zoo = readZoo(REPO_MANIFEST);

describe('InputSampler', () => {
  it('visits every held-out sample once per pass, in a seeded order', () => {
    const set = loadHeldOut(zoo, 'digits');
    const a = new InputSampler(set, 5);
    const firstPass = Array.from({ length: set.count }, () => a.next());
    expect(new Set(firstPass).size).toBe(set.count);
    const b = new InputSampler(set, 5);
    expect(Array.from({ length: 20 }, () => b.next())).toEqual(firstPass.slice(0, 20));
    expect(new Set(Array.from({ length: set.count }, () => a.next())).size).toBe(set.count);
    const { values, label } = a.sample(3);
    expect(values).toHaveLength(64);
    expect(label).toBe(set.labels[3]);
  });

  it('gives the walk\'s k-th sample whichever draws were skipped before it, forward and back', () => {
    const set = loadHeldOut(zoo, 'digits');
    const walked = new InputSampler(set, 9);
    const walk = Array.from({ length: set.count * 3 + 5 }, () => walked.next());
    const skipping = new InputSampler(set, 9);
    const ks = [3, 4, 10, set.count - 1, set.count, set.count * 2 + 7, set.count * 3 + 4, 0, set.count + 1, set.count * 3 + 2];
    expect(ks.map((k) => skipping.at(k))).toEqual(ks.map((k) => walk[k]));
    // next() continues after the last draw taken.
    expect(skipping.next()).toBe(walk[set.count * 3 + 3]);
    expect(() => skipping.at(-1)).toThrow(/integer >= 0/);
  });
});

describe('percentile', () => {
  it('interpolates like PostgreSQL percentile_cont', () => {
    const v = Float64Array.from([1, 2, 3, 4]);
    expect(percentile(v, 0.5)).toBe(2.5);
    expect(percentile(v, 0.95)).toBeCloseTo(3.85, 10);
    expect(percentile(v, 0)).toBe(1);
    expect(percentile(v, 1)).toBe(4);
    expect(percentile(new Float64Array(0), 0.5)).toBeNaN();
  });
});

describe('buildQueryRecord', () => {
  const q = sampleQuery({ createdAt: 1000, slo: { maxLatencyMs: 50, minAccuracy: 0.95 } });
  const record = (label: number, outcome: ReplyOutcome, completedAt: number, warmup: boolean) => buildQueryRecord(queryEndOf(q, outcome, { completedAt, label, warmup }, zoo));
  const decision = { clusterId: 'cloud-1', policy: 'closest', decidedAt: 1001 };
  const completed = (variantId: string) => ({
    kind: 'reply' as const,
    reply: { schemaVersion: 1 as const, status: 'completed' as const, queryId: q.queryId, decision: { ...decision, variantId }, timing: { receivedAt: 1002, startedAt: 1003, finishedAt: 1004, emulatedNetworkMs: 2 }, prediction: 7 },
  });

  it('meets the SLO only when in time and served accurately enough', () => {
    expect(record(7, completed('digits-cnn-m'), 1040, false)).toMatchObject({ status: 'completed', sloMet: true, latencyMs: 40, prediction: 7, label: 7, startedAt: 1003 });
    expect(record(7, completed('digits-cnn-m'), 1060, false).sloMet).toBe(false);
    expect(record(7, completed('digits-linear-xs'), 1010, false).sloMet).toBe(false);
  });

  it('records drops, errors and timeouts as terminal states without a placement', () => {
    const dropped = record(1, { kind: 'reply', reply: { schemaVersion: 1, status: 'dropped', queryId: q.queryId, policy: 'closest', reason: 'NO_FEASIBLE_OPTION', detail: 'x', decidedAt: 1001 } }, 1002, false);
    expect(dropped).toMatchObject({ status: 'dropped', reason: 'NO_FEASIBLE_OPTION', policy: 'closest', clusterId: null, sloMet: false });
    const error = record(1, { kind: 'reply', reply: { schemaVersion: 1, status: 'error', code: 'INFERENCE_FAILED', message: 'boom' } }, 1002, true);
    expect(error).toMatchObject({ status: 'error', reason: 'INFERENCE_FAILED', warmup: true });
    expect(record(1, { kind: 'timeout', detail: 'late' }, 11_000, false)).toMatchObject({ status: 'timed_out', latencyMs: 10_000, sloMet: false });
  });

  it('records a query that reached no service as an error, every observed field but the sender\'s null', () => {
    expect(record(4, { kind: 'failure', detail: 'no service listens' }, 1003, false)).toEqual({
      schemaVersion: 1,
      runId: q.runId,
      queryId: q.queryId,
      app: q.app,
      source: q.source,
      task: q.task,
      policy: null,
      clusterId: null,
      variantId: null,
      status: 'error',
      reason: null,
      detail: 'no service listens',
      createdAt: 1000,
      dispatchedAt: null,
      receivedAt: null,
      startedAt: null,
      finishedAt: null,
      completedAt: 1003,
      emulatedNetworkMs: null,
      latencyMs: 3,
      sloMaxLatencyMs: 50,
      sloMinAccuracy: 0.95,
      sloMet: false,
      warmup: false,
      prediction: null,
      label: 4,
    });
  });

  it("records a worker's QUEUE_FULL refusal as a drop with reason QUEUE_FULL and the refused decision", () => {
    const refusal = { schemaVersion: 1 as const, status: 'error' as const, code: 'QUEUE_FULL' as const, message: 'full', queryId: q.queryId, decision: { ...decision, variantId: 'digits-cnn-m' } };
    expect(record(1, { kind: 'reply', reply: refusal }, 1005, false)).toMatchObject({
      status: 'dropped',
      reason: 'QUEUE_FULL',
      detail: 'full',
      policy: 'closest',
      clusterId: 'cloud-1',
      variantId: 'digits-cnn-m',
      dispatchedAt: 1001,
      startedAt: null,
      prediction: null,
      sloMet: false,
    });
  });

  it('summarizes outcomes, leaving warm-up out', () => {
    const builder = new RunReportBuilder();
    const outcome = { variantId: null, prediction: null, label: null };
    for (const r of [
      { status: 'completed', sloMet: true, latencyMs: 10, warmup: false },
      { status: 'completed', sloMet: false, latencyMs: 30, warmup: false },
      { status: 'dropped', sloMet: false, latencyMs: 1, warmup: false },
      { status: 'timed_out', sloMet: false, latencyMs: 100, warmup: false },
      { status: 'completed', sloMet: true, latencyMs: 1, warmup: true },
    ] as const) builder.add({ ...r, ...outcome });
    const s = builder.build({ runId: 'r', scenario: 'demo', queries: 4, warmupQueries: 1, recordsLost: 0 }).summary;
    expect(s).toMatchObject({ queries: 4, completed: 2, sloMet: 1, dropped: 1, timedOut: 1, successRatio: 0.25, p50Ms: 20 });
  });
});

describe('sloMet', () => {
  const slo = { maxLatencyMs: 50, minAccuracy: 0.9 };
  it('holds for a completed query in time from an accurate enough variant, and only then', () => {
    expect(sloMet(slo, 'completed', 50, 0.9)).toBe(true);
    expect(sloMet(slo, 'completed', 50.001, 0.95)).toBe(false);
    expect(sloMet(slo, 'completed', 10, 0.89)).toBe(false);
    expect(sloMet(slo, 'dropped', 0, 1)).toBe(false);
    expect(sloMet(slo, 'timed_out', 10, 1)).toBe(false);
  });
});

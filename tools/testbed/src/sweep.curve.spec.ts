import { describe, expect, it } from 'vitest';
import { figureSvg } from '@aset/charts';
import { kneeOf, parseSweepCsv, sweepCsv, sweepFigure, type SweepPoint } from './sweep.curve.js';

/** A point at `rate` whose p50 and p95 are a quarter and a half of its p99, 1000 queries, nothing dropped or timed out. */
function point(rate: number, p99Ms: number | null, success: number, extra: Partial<SweepPoint> = {}): SweepPoint {
  const share = (f: number) => (p99Ms === null ? null : p99Ms * f);
  return { mode: 'sim', rate, p50Ms: share(0.25), p95Ms: share(0.5), p99Ms, success, dropped: 0, timedOut: 0, queries: 1000, ...extra };
}

describe('kneeOf', () => {
  it('is the last rate before p99 passes twice its value at the lowest rate, the rates taken in rising order whatever their order given', () => {
    const knee = kneeOf([point(100, 50, 0.98), point(10, 20, 0.99), point(40, 40, 0.99), point(70, 41, 0.98)]);
    expect(knee.rate).toBe(40);
    expect(knee.brokenBy?.rate).toBe(70);
    expect(knee.brokenBy?.reason).toMatch(/^p99 41\.0 ms > 2x 20\.0 ms at 10\/s$/);
  });

  it('is the last rate before success falls more than 5 points below the lowest rate\'s, a drop of exactly 5 points keeping the curve', () => {
    expect(kneeOf([point(10, 20, 0.99), point(20, 20, 0.94), point(30, 20, 0.9399)])).toEqual({
      rate: 20,
      brokenBy: { rate: 30, reason: 'success 94.0% is more than 5 points below 99.0% at 10/s' },
    });
  });

  it('breaks at a rate where nothing completed, and names both reasons when both hold', () => {
    expect(kneeOf([point(10, 20, 0.99), point(20, null, 0)]).brokenBy).toEqual({ rate: 20, reason: 'no query completed; success 0.0% is more than 5 points below 99.0% at 10/s' });
    expect(kneeOf([point(10, 20, 0.99), point(20, 50, 0.5)]).brokenBy?.reason).toBe('p99 50.0 ms > 2x 20.0 ms at 10/s; success 50.0% is more than 5 points below 99.0% at 10/s');
  });

  it('is the highest rate, broken by none, when no rate breaks the curve; and none without a p99 at the lowest rate', () => {
    expect(kneeOf([point(10, 20, 0.99), point(20, 40, 0.95)])).toEqual({ rate: 20, brokenBy: null });
    expect(kneeOf([point(10, 20, 0.99)])).toEqual({ rate: 10, brokenBy: null });
    expect(kneeOf([point(10, null, 0), point(20, 20, 0.9)])).toEqual({ rate: null, brokenBy: null });
    expect(kneeOf([])).toEqual({ rate: null, brokenBy: null });
  });
});

describe('sweepCsv and parseSweepCsv', () => {
  it('write one row per point under the header, a missing percentile as an empty cell, and read them back unchanged', () => {
    const points = [point(10, 20.5, 0.99, { dropped: 3, timedOut: 1 }), point(20, null, 0, { mode: 'live', queries: 300 })];
    const csv = sweepCsv(points);
    expect(csv).toBe('mode,rate,p50Ms,p95Ms,p99Ms,success,dropped,timedOut,queries\nsim,10,5.125,10.25,20.5,0.99,3,1,1000\nlive,20,,,,0,0,0,300\n');
    expect(parseSweepCsv(csv, 'a.csv')).toEqual(points);
  });

  it('refuses another header, a short row, an unknown mode or a cell that is not a number, naming the file and line', () => {
    const header = 'mode,rate,p50Ms,p95Ms,p99Ms,success,dropped,timedOut,queries';
    expect(() => parseSweepCsv('rate,p99\n1,2\n', 'x.csv')).toThrow(`x.csv:1: expected the header "${header}" of a sweep.csv, got "rate,p99"`);
    expect(() => parseSweepCsv(`${header}\nsim,10,1,2,3,1,0,0\n`, 'x.csv')).toThrow('x.csv:2: expected 9 cells, got 8');
    expect(() => parseSweepCsv(`${header}\nsim,10,1,2,3,1,0,0,5\nreal,10,1,2,3,1,0,0,5\n`, 'x.csv')).toThrow('x.csv:3: mode must be sim or live, got "real"');
    expect(() => parseSweepCsv(`${header}\nsim,ten,1,2,3,1,0,0,5\n`, 'x.csv')).toThrow('x.csv:2: rate must be a number, got "ten"');
    expect(() => parseSweepCsv(`${header}\nsim,10,1,2,3,,0,0,5\n`, 'x.csv')).toThrow('x.csv:2: success must be a number, got ""');
  });
});

describe('sweepFigure', () => {
  it('draws p50, p95 and p99 per mode over the rates on a log latency axis, the second mode dashed, with the SLO deadlines and the knee as rules', async () => {
    const spec = sweepFigure([point(20, 40, 0.9, { mode: 'live' }), point(10, 20, 1, { mode: 'live' }), point(10, 10, 1), point(20, null, 0)], 'demo', { sloMs: [50, 12, 50], kneeRate: 10 });
    const layers = (spec as { layer: { mark: { type: string; text?: string }; data?: { values: { series?: string; x: number; y: number }[] }; encoding: Record<string, { scale?: { type?: string; domain?: unknown[]; range?: unknown[] } }> }[] }).layer;
    const lines = layers.find((l) => l.mark.type === 'line')!;
    expect(lines.encoding['y']!.scale!.type).toBe('log');
    expect(lines.encoding['color']!.scale!.domain).toEqual(['live p50', 'live p95', 'live p99', 'sim p50', 'sim p95', 'sim p99']);
    expect(lines.encoding['strokeDash']!.scale!.range).toEqual([[1, 0], [1, 0], [1, 0], [6, 4], [6, 4], [6, 4]]);
    // Live: two rates each, in order of rate; sim: the one rate with a completed query.
    const per = (label: string) => lines.data!.values.filter((v) => v.series === label).map((v) => [v.x, v.y]);
    expect(per('live p99')).toEqual([[10, 20], [20, 40]]);
    expect(per('sim p99')).toEqual([[10, 10]]);
    expect(layers.filter((l) => l.mark.type === 'text').map((l) => l.mark.text)).toEqual(['SLO 12 ms', 'SLO 50 ms', 'knee 10/s']);
    const svg = await figureSvg(spec);
    for (const label of ['live p50', 'sim p99', 'SLO 12 ms', 'knee 10/s', 'latency (ms)', 'offered rate (queries/s)']) expect(svg).toContain(`>${label}</text>`);
  });
});

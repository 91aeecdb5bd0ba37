import { describe, expect, it } from 'vitest';
import { auditFaultRun, type StoredOutcome } from './chaos.audit.js';
import { CHAOS_FAULTS, chaosFaultsNamed } from './chaos.catalog.js';
import { faultWindow, RECOVERY_GRACE_MS } from './chaos.runner.js';

/** `n` queries sent one per 10 ms from t = 0, met when `met(i)`. */
function outcomes(n: number, met: (i: number) => boolean, status = (_i: number) => 'completed'): StoredOutcome[] {
  return Array.from({ length: n }, (_, i) => ({ queryId: `q${i}`, status: status(i), sloMet: met(i), createdAt: i * 10 }));
}

describe('auditFaultRun', () => {
  const baseline = outcomes(1000, (i) => i % 10 !== 0); // 90% met
  const window = { startAt: 3000, endAt: 5990 }; // queries 300..599

  it('compares the success outside the window with the fault-free run on the same queries, and leaves the window out', () => {
    // Every query inside the window failed; outside, the same 90% as fault-free.
    const stored = outcomes(1000, (i) => (i >= 300 && i < 600 ? false : i % 10 !== 0), (i) => (i >= 300 && i < 600 ? 'timed_out' : 'completed'));
    const a = auditFaultRun({ name: 'f', queries: 1000, stored, streamRecords: { messages: 1000, ids: 1000 }, baseline, window, notRecovered: [] });
    expect(a).toMatchObject({ terminalRecords: 1000, lost: 0, duplicated: 0, recovered: true, successOutsideWindow: 0.9, baselineSuccess: 0.9 });
    expect(a.inWindow).toEqual({ queries: 300, success: 0 });
    expect(a.afterWindow).toEqual({ queries: 400, success: 0.9, baselineSuccess: 0.9 });
    expect(a.statuses).toEqual({ completed: 700, timed_out: 300 });
  });

  it('counts queries with no stored record as lost, and stream records beyond one per query as duplicated', () => {
    const stored = outcomes(1000, () => true).filter((r) => r.queryId !== 'q7' && r.queryId !== 'q8');
    const a = auditFaultRun({ name: 'f', queries: 1000, stored, streamRecords: { messages: 1003, ids: 1000 }, baseline, window, notRecovered: [] });
    expect(a.lost).toBe(2);
    expect(a.duplicated).toBe(3);
  });

  it('does not count as recovered a system whose success after the window stays more than 5 points below the fault-free run, or whose services are not whole', () => {
    const limping = outcomes(1000, (i) => (i >= 600 ? i % 10 < 8 : i % 10 !== 0)); // 80% after the window against 90%
    const a = auditFaultRun({ name: 'f', queries: 1000, stored: limping, streamRecords: { messages: 1000, ids: 1000 }, baseline, window, notRecovered: [] });
    expect(a.recovered).toBe(false);
    expect(a.notRecovered.join()).toContain('success after the window 80.0% against 90.0% fault-free');
    const justInside = outcomes(1000, (i) => (i >= 600 ? i % 20 > 1 : i % 10 !== 0)); // 90% after: equal
    expect(auditFaultRun({ name: 'f', queries: 1000, stored: justInside, streamRecords: { messages: 1000, ids: 1000 }, baseline, window, notRecovered: [] }).recovered).toBe(true);
    expect(auditFaultRun({ name: 'f', queries: 1000, stored: baseline, streamRecords: { messages: 1000, ids: 1000 }, baseline, window, notRecovered: ['worker-x has exited'] }).recovered).toBe(false);
  });

  it('treats a query the fault-free run has no record of as a miss there', () => {
    const a = auditFaultRun({ name: 'f', queries: 10, stored: outcomes(10, () => true), streamRecords: { messages: 10, ids: 10 }, baseline: outcomes(5, () => true), window: { startAt: Infinity, endAt: -Infinity }, notRecovered: [] });
    expect(a.successOutsideWindow).toBe(1);
    expect(a.baselineSuccess).toBe(0.5);
  });
});

describe('faultWindow', () => {
  const applied = [
    { atSec: 10, action: 'pause' as const, service: 'w', appliedAtSec: 10.01, appliedAt: 110_010 },
    { atSec: 13, action: 'resume' as const, service: 'w', appliedAtSec: 13.02, appliedAt: 113_020 },
  ];

  it('runs from a reply timeout before the first step to the grace after the last step', () => {
    expect(faultWindow(applied, [], 2000)).toEqual({ startAt: 108_010, endAt: 113_020 + RECOVERY_GRACE_MS });
  });

  it('extends to the grace after a supervisor restart that came after the fault', () => {
    const restarts = [
      { service: 'w', exitedAt: 50_000, restartedAt: 60_000 }, // before the fault: not its doing
      { service: 'w', exitedAt: 110_020, restartedAt: 116_000 },
    ];
    expect(faultWindow(applied.slice(0, 1), restarts, 2000)).toEqual({ startAt: 108_010, endAt: 116_000 + RECOVERY_GRACE_MS });
  });

  it('is empty when no step was applied', () => {
    expect(faultWindow([], [], 2000)).toEqual({ startAt: Infinity, endAt: -Infinity });
  });
});

describe('the chaos catalog', () => {
  it('has the seven faults of the reliability guarantees, each with a plan on the run clock', () => {
    expect(CHAOS_FAULTS.map((f) => f.name)).toEqual(['worker-sigkill', 'worker-sigstop', 'scheduler-failover', 'scheduler-restart', 'nats-restart', 'postgres-outage', 'metrics-store-sigkill']);
    for (const f of CHAOS_FAULTS) expect(f.plan(7).faults[0]?.atSec, f.name).toBe(7);
  });

  it('picks faults by name in catalog order and refuses an unknown one, naming the flag and the choices', () => {
    expect(chaosFaultsNamed('nats-restart, worker-sigkill').map((f) => f.name)).toEqual(['worker-sigkill', 'nats-restart']);
    expect(() => chaosFaultsNamed('worker-sigkil')).toThrow(/--faults: unknown fault "worker-sigkil"; expected some of: worker-sigkill, /);
    expect(() => chaosFaultsNamed(' , ')).toThrow(/--faults: name at least one/);
  });
});

import Table from 'cli-table3';
import type { RunSummary } from '@aset/contracts';

const ms = (v: number | null) => (v === null ? '-' : v.toFixed(2));

/** The metrics store's per-policy summary as a terminal table. */
export function summaryTable(summary: RunSummary): string {
  const table = new Table({
    head: ['policy', 'queries', 'SLO met', 'success', 'dropped', 'errors', 'timed out', 'p50 ms', 'p95 ms', 'p99 ms'],
    colAligns: ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
    style: { head: [], border: [] },
  });
  for (const p of summary.policies) {
    table.push([p.policy, p.queries, p.sloMet, `${(p.successRatio * 100).toFixed(1)}%`, p.drops, p.errors, p.timedOut, ms(p.p50Ms), ms(p.p95Ms), ms(p.p99Ms)]);
  }
  return table.toString();
}

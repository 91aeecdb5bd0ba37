import Table from 'cli-table3';
import type { RunSummary } from '@aset/contracts';
import { formatPercent } from '@aset/command-line';

type PolicySummary = RunSummary['policies'][number];

const ms = (v: number | null) => (v === null ? '-' : v.toFixed(2));

/** One live run of the demo: the metrics store's summary of it, and what the simulator predicted. */
export interface DemoRow {
  policy: string;
  role: string;
  /** The metrics store's summary of the run (SQL over the stored records, warm-up excluded). */
  live: PolicySummary;
  simSuccess: number;
}

/** The demo's runs side by side, as a terminal table, with the upper bound under it. */
export function comparisonTable(rows: readonly DemoRow[], upperBound: number): string {
  const table = new Table({
    head: ['policy', 'role', 'queries', 'SLO met', 'success', 'sim success', 'dropped', 'errors', 'timed out', 'p50 ms', 'p95 ms', 'p99 ms'],
    colAligns: ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
    style: { head: [], border: [] },
  });
  for (const { policy, role, live: p, simSuccess } of rows) {
    table.push([policy, role, p.queries, p.sloMet, formatPercent(p.successRatio), formatPercent(simSuccess), p.drops, p.errors, p.timedOut, ms(p.p50Ms), ms(p.p95Ms), ms(p.p99Ms)]);
  }
  return `${table.toString()}\nupper bound: ${formatPercent(upperBound)} of these queries could meet their SLO at all (some placement in time with empty queues; simulator, same arrivals)`;
}

import { describe, expect, it } from 'vitest';
import { sampleQueryRecord } from '@aset/contracts/testing';
import { QUERY_CSV_COLUMNS, QUERY_CSV_HEADER, queryCsvRow } from './query-record.csv.js';

/** RFC 4180 reading of one line, enough to check what queryCsvRow writes. */
function cellsOf(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      cells.push(cell);
      cell = '';
    } else cell += c;
  }
  cells.push(cell);
  return cells;
}

describe('queryCsvRow', () => {
  it('writes one cell per column, in column order, empty for null', () => {
    const r = sampleQueryRecord({ clusterId: null, variantId: null, status: 'dropped', reason: 'NO_FEASIBLE_OPTION', prediction: null });
    const line = queryCsvRow(r);
    expect(line.endsWith('\n')).toBe(true);
    expect(QUERY_CSV_HEADER).toBe(`${QUERY_CSV_COLUMNS.join(',')}\n`);
    const cells = cellsOf(line.slice(0, -1));
    expect(cells).toHaveLength(QUERY_CSV_COLUMNS.length);
    const byColumn = Object.fromEntries(QUERY_CSV_COLUMNS.map((c, i) => [c, cells[i]]));
    expect(byColumn).toMatchObject({ run_id: r.runId, query_id: r.queryId, cluster_id: '', variant_id: '', status: 'dropped', reason: 'NO_FEASIBLE_OPTION', latency_ms: String(r.latencyMs), slo_met: String(r.sloMet), prediction: '' });
  });

  it('quotes a detail that holds a comma, a quote or a line break, and only then', () => {
    const detail = 'no reply from "cluster.x.infer", 300 ms\nretry';
    const cells = cellsOf(queryCsvRow(sampleQueryRecord({ detail })).slice(0, -1));
    expect(cells[QUERY_CSV_COLUMNS.indexOf('detail')]).toBe(detail);
    expect(queryCsvRow(sampleQueryRecord({ detail: 'plain' }))).toContain(',plain,');
  });
});

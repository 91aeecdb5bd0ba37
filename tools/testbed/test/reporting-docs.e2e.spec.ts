import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '@aset/command-line';
import { startLiveTestbed, type LiveTestbed } from './live-testbed.fixture.js';

const DOC = join(REPO_ROOT, 'docs', 'reporting.md');

/** The ```sql blocks of docs/reporting.md, with the heading each stands under. */
function sqlBlocks(markdown: string): { heading: string; sql: string }[] {
  const blocks: { heading: string; sql: string }[] = [];
  let heading = '';
  let sql: string[] | undefined;
  for (const line of markdown.split('\n')) {
    if (sql) {
      if (line.startsWith('```')) {
        blocks.push({ heading, sql: sql.join('\n') });
        sql = undefined;
      } else sql.push(line);
    } else if (line.startsWith('#')) heading = line.replace(/^#+\s*/, '');
    else if (line.trim() === '```sql') sql = [];
  }
  return blocks;
}

/** psql's variable interpolation: `:'name'` as a quoted literal, `:name` as it is. */
function interpolate(sql: string, vars: Record<string, string>): string {
  return sql.replace(/:'(\w+)'|(?<!:):(\w+)\b/g, (whole, quoted?: string, bare?: string) => {
    const name = (quoted ?? bare) as string;
    const value = vars[name];
    if (value === undefined) return whole;
    return quoted ? `'${value.replaceAll("'", "''")}'` : value;
  });
}

/**
 * Every SQL query of docs/reporting.md runs as printed (with its psql variables set) against the
 * schema a live metrics store built, over a live `aset` run: the tables, columns and views it names exist.
 */
describe('docs/reporting.md', () => {
  let live: LiveTestbed;
  const runId = 'docs-aset';

  beforeAll(async () => {
    live = await startLiveTestbed('docs', { policy: 'aset', env: { ASET_CHECKPOINT: join(REPO_ROOT, 'checkpoints', 'demo.aset.json') } });
    await live.testbed.run({ runId, queries: 300, warmupQueries: 20 });
    await live.testbed.waitIngested(runId);
  });

  afterAll(async () => {
    await live?.close();
  });

  it('has its queries run as printed, each returning rows on a real run', async () => {
    const blocks = sqlBlocks(readFileSync(DOC, 'utf8'));
    expect(blocks.length).toBeGreaterThanOrEqual(10);
    // The decisions of an adaptive run arrive on their own subject: wait for them too.
    await expect.poll(async () => Number((await live.db.query(`SELECT count(*) AS n FROM scheduling_decisions WHERE run_id = $1`, [runId])).rows[0].n), { timeout: 20_000 }).toBeGreaterThan(0);
    for (const { heading, sql } of blocks) {
      const text = interpolate(sql, { run: runId, aset_run: runId });
      expect(text, `${heading}: a psql variable left unset`).not.toMatch(/(?<!:):'\w+'|(?<![:\w]):[a-z_]+\b(?!:)/);
      const result = await live.db.query(text).catch((e: unknown) => {
        throw new Error(`docs/reporting.md, "${heading}": ${e instanceof Error ? e.message : String(e)}\n${text}`);
      });
      expect(result.rows.length, `docs/reporting.md, "${heading}" returned no rows`).toBeGreaterThan(0);
    }
  });
});

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { DataSource } from 'typeorm';
import { BucketMs } from '../reporting/report-params.schema.js';
import { METRICS_STORE_ENV } from '../metrics-store.config.js';
import { REPORTING_ROLE, reportingDataSourceOptions } from '@aset/ingestion';
import { MAX_COMPARED_RUNS, RunIdList } from '../reporting/run-comparison.schema.js';
import { loadRunComparison } from '../reporting/run-comparison.query.js';
import { reportHtml } from './report.page.js';

/** What one `report` invocation wrote. */
export interface ReportResult {
  file: string;
  runIds: string[];
  html: string;
}

function runIdList(v: string): string[] {
  const parsed = RunIdList.safeParse(v);
  if (!parsed.success) throw new InvalidArgumentError(`--runs expects 1 to ${MAX_COMPARED_RUNS} comma-separated run ids (each 1-64 characters of [A-Za-z0-9_-]), got "${v}"`);
  return parsed.data;
}

function bucketMs(v: string): number {
  const parsed = BucketMs.safeParse(v);
  if (!parsed.success) throw new InvalidArgumentError(`--bucket-ms expects an integer from 100 to 3600000, got "${v}"`);
  return parsed.data;
}

/**
 * The command's options. On a bad one commander prints a message naming it, then (exitOverride)
 * throws a CommanderError carrying the exit code instead of exiting; so does `--help`, with code 0.
 */
export function reportCommand(): Command {
  return new Command('report')
    .exitOverride()
    .description('Write a self-contained HTML report comparing the policies of runs in the metrics store (reads DATABASE_URL).')
    .requiredOption('--runs <ids>', `comma-separated run ids (1 to ${MAX_COMPARED_RUNS})`, runIdList)
    .option('--out <file>', 'HTML file to write (default: report-<first run id>[-and-<n>-more].html)')
    .option('--bucket-ms <ms>', 'time bucket of the plots over time, ms (100-3600000)', bucketMs, 1000);
}

/** The URL with its password masked, for messages. */
const masked = (url: string) => url.replace(/\/\/([^:/@]+):[^@/]*@/, '//$1:***@');

/**
 * Opens the metrics store's database at `env.DATABASE_URL` for reading, as the read-only reporting
 * role. Throws, naming DATABASE_URL, when it is unset or malformed, unreachable, holds no
 * metrics-store schema, or its login is not a member of the reporting role.
 */
export async function openReportDatabase(env: Record<string, string | undefined>): Promise<DataSource> {
  const url = env['DATABASE_URL'];
  if (!url) throw new Error("DATABASE_URL is not set: set it to the metrics store's PostgreSQL URL, e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/aset npm run report -- --runs <id>");
  if (!METRICS_STORE_ENV.DATABASE_URL.safeParse(url).success) throw new Error(`DATABASE_URL is not a PostgreSQL URL (postgres://user:password@host:port/database), got "${masked(url)}"`);
  const base = reportingDataSourceOptions(url);
  const db = new DataSource({ ...base, extra: { ...base.extra, max: 4, connectionTimeoutMillis: 5000, application_name: 'aset-report' } } as typeof base);
  try {
    await db.initialize();
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (code === '42704') throw new Error(`${noSchema(url)} (the read-only role ${REPORTING_ROLE} does not exist yet)`);
    if (code === '42501') {
      throw new Error(`the login of DATABASE_URL=${masked(url)} may not read as ${REPORTING_ROLE}: use a login that is a member of it (docs/reporting.md, "Read-only access for analysts")`);
    }
    throw new Error(`cannot reach the metrics store's database at DATABASE_URL=${masked(url)}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const [schema] = (await db.query(`SELECT to_regclass('runs') IS NOT NULL AND to_regclass('report_by_policy') IS NOT NULL AS ready`)) as { ready: boolean }[];
  if (!schema?.ready) {
    await db.destroy();
    throw new Error(noSchema(url));
  }
  return db;
}

const noSchema = (url: string) =>
  `the database at DATABASE_URL=${masked(url)} has no metrics-store schema (no runs table or report views): point DATABASE_URL at the metrics store's database, or migrate it (npm run db:migrate -w @aset/metrics-store)`;

/**
 * `report --runs <id1,id2,...> [--out file.html] [--bucket-ms 1000]` with `args` the user's
 * arguments: loads the runs from the database at `env.DATABASE_URL`, writes the HTML report and
 * returns it. Throws on an unknown run (naming every unknown id) and on database problems.
 */
export async function reportMain(args: readonly string[], env: Record<string, string | undefined>, cwd = process.cwd()): Promise<ReportResult> {
  const o = reportCommand().parse([...args], { from: 'user' }).opts<{ runs: string[]; out?: string; bucketMs: number }>();
  const db = await openReportDatabase(env);
  try {
    const comparison = await loadRunComparison(db, o.runs, { bucketMs: o.bucketMs });
    const html = await reportHtml(comparison);
    const [first] = o.runs;
    const file = resolve(cwd, o.out ?? `report-${first}${o.runs.length > 1 ? `-and-${o.runs.length - 1}-more` : ''}.html`);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, html);
    return { file, runIds: o.runs, html };
  } finally {
    await db.destroy();
  }
}

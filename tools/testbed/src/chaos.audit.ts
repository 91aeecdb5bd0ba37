/** One stored query record, as the audit reads it from PostgreSQL. */
export interface StoredOutcome {
  queryId: string;
  status: string;
  sloMet: boolean;
  /** When the query was sent (epoch ms). */
  createdAt: number;
}

/** The span a fault disturbs (epoch ms): queries sent inside it are not held to the fault-free figure. */
export interface FaultWindow {
  startAt: number;
  endAt: number;
}

/** What a fault run is judged on (the first eight fields are the `chaos --json` contract). */
export interface FaultAudit {
  name: string;
  /** Queries the generator sent. */
  queries: number;
  /** Measured query records in PostgreSQL for the run. */
  terminalRecords: number;
  /** Queries with no record in PostgreSQL. */
  lost: number;
  /** Query records the records stream holds beyond one per query, warm-up included (PostgreSQL's key makes a second row impossible, so duplicates are counted where they could exist). */
  duplicated: number;
  /** Every service healthy after the fault, every cluster live again, and the queries after the window within {@link RECOVERY_TOLERANCE} of the fault-free run. */
  recovered: boolean;
  /** SLO-met share of the queries sent outside the window. */
  successOutsideWindow: number;
  /** SLO-met share of the same queries (same ids, same seed) in the fault-free run. */
  baselineSuccess: number;
  /** Queries sent inside the window, and their SLO-met share. */
  inWindow: { queries: number; success: number };
  /** Queries sent after the window, and their SLO-met share here and in the fault-free run. */
  afterWindow: { queries: number; success: number; baselineSuccess: number };
  /** Records by terminal status. */
  statuses: Record<string, number>;
  /** What was found not to have recovered (services down or unhealthy, clusters not live). */
  notRecovered: string[];
}

/** How far (as a share) the success after the fault may fall below the fault-free run's and still count as recovered: 5 points. */
export const RECOVERY_TOLERANCE = 0.05;

/** Fewer queries after the window than this leave recovery to the services' state alone. */
const MIN_QUERIES_AFTER_WINDOW = 50;

/**
 * Judges one fault run against the fault-free run of the same seed: records counted against the
 * queries sent, duplicates counted in the stream, and success outside the fault's window compared
 * with the fault-free run's success on exactly the same queries.
 */
export function auditFaultRun(input: {
  name: string;
  queries: number;
  stored: readonly StoredOutcome[];
  /** Query records of the run in the JetStream records stream (warm-up included): messages, and distinct query ids among them. */
  streamRecords: { messages: number; ids: number };
  baseline: readonly StoredOutcome[];
  window: FaultWindow;
  /** What the post-run check found not recovered. */
  notRecovered: readonly string[];
}): FaultAudit {
  const baselineById = new Map(input.baseline.map((r) => [r.queryId, r.sloMet] as const));
  const ids = new Set(input.stored.map((r) => r.queryId));
  const statuses: Record<string, number> = {};
  for (const r of input.stored) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
  const before = input.stored.filter((r) => r.createdAt < input.window.startAt);
  const inside = input.stored.filter((r) => r.createdAt >= input.window.startAt && r.createdAt <= input.window.endAt);
  const after = input.stored.filter((r) => r.createdAt > input.window.endAt);
  const outside = [...before, ...after];
  const afterWindow = { queries: after.length, success: share(after), baselineSuccess: baselineShare(after, baselineById) };
  const notRecovered = [...input.notRecovered];
  if (after.length >= MIN_QUERIES_AFTER_WINDOW && afterWindow.success < afterWindow.baselineSuccess - RECOVERY_TOLERANCE) {
    notRecovered.push(`success after the window ${pct(afterWindow.success)} against ${pct(afterWindow.baselineSuccess)} fault-free`);
  }
  return {
    name: input.name,
    queries: input.queries,
    terminalRecords: input.stored.length,
    lost: input.queries - ids.size,
    duplicated: input.streamRecords.messages - input.streamRecords.ids,
    recovered: notRecovered.length === 0,
    successOutsideWindow: share(outside),
    baselineSuccess: baselineShare(outside, baselineById),
    inWindow: { queries: inside.length, success: share(inside) },
    afterWindow,
    statuses,
    notRecovered,
  };
}

function share(rows: readonly StoredOutcome[]): number {
  return rows.length === 0 ? 0 : rows.filter((r) => r.sloMet).length / rows.length;
}

/** The fault-free run's success on the same query ids (an id it has no record of counts as a miss). */
function baselineShare(rows: readonly StoredOutcome[], baseline: ReadonlyMap<string, boolean>): number {
  return rows.length === 0 ? 0 : rows.filter((r) => baseline.get(r.queryId) === true).length / rows.length;
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

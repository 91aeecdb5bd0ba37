import { createRequire } from 'node:module';
import type { Highs, InitOptions } from 'highs';
import { transferMs, type ApplicationSpec, type Scenario } from '@aset/scenario';
import type { PlacementCatalog } from '@aset/scheduling';
import type { RecordSink, SimRecord } from './sim.record.js';

export interface CapacityBoundOptions {
  /** Messaging time added to every query, ms (request plus reply), as for `UpperBoundSink`. */
  overheadMs?: number;
  /**
   * Window length, ms. Scenarios whose load or topology changes over time are cut into windows of
   * this length from the run start (default 1000), also cut at every dynamic event's start and end.
   * Stationary scenarios ({@link isStationaryScenario}) use one window unless this is given.
   */
  windowMs?: number;
}

/** One window of the bound: its measured arrivals and how many of them the LP serves. */
export interface CapacityBoundWindow {
  /** The window's start, or the first measured arrival when later, ms from the run start. */
  fromMs: number;
  /** The window's end, or the last measured arrival when earlier; `toMs - fromMs` is the slot time it offers. */
  toMs: number;
  offered: number;
  served: number;
}

export interface CapacityBound {
  /** `servedQueries / offeredQueries`; 0 when nothing was offered. */
  ratio: number;
  offeredQueries: number;
  /** Fractional: the LP serves rates. */
  servedQueries: number;
  /** In time order, from the window of the first measured arrival to that of the last. */
  windows: CapacityBoundWindow[];
  /** Size of the LP (after merging streams with the same options) and wall time to build and to solve it, ms. */
  lp: { columns: number; rows: number; nonzeros: number; buildMs: number; solveMs: number };
}

let runtime: Promise<Highs> | undefined;

/** The HiGHS WebAssembly runtime, instantiated once per process on first use. */
function loadHighs(): Promise<Highs> {
  // The package's type declarations describe its CommonJS entry (module.exports is the loader); its
  // ES entry's default export is the same loader, which TypeScript cannot see. Load the entry the types describe.
  runtime ??= (createRequire(import.meta.url)('highs') as (options?: InitOptions) => Promise<Highs>)();
  return runtime;
}

/**
 * Where the streams of one class may run: clusters in ascending order, with the processing time of
 * the cheapest variant there passing the latency test. Streams with the same options are one class.
 */
interface StreamClass {
  clusters: Int32Array;
  processingMs: Float64Array;
  /** The largest deadline among the class's streams, ms. */
  maxLatencyMs: number;
}

/** The classes of the streams under one topology state (one set of active dynamic events). */
interface TopologyState {
  /** Per stream: class index, -1 when it can use no cluster, -2 not computed yet. */
  classOf: Int32Array;
  classes: StreamClass[];
  byKey: Map<string, number>;
}

/**
 * The capacity-aware ("fluid") bound on the success ratio: the largest fraction of the measured
 * queries that could meet their SLO if every cluster's slots were shared optimally, as rates, among
 * the arrival streams that can use it. It lies between the best policy and `UpperBoundSink`.
 *
 * Per window w, stream s (fixes source and app) and cluster c, `x[w,s,c]` queries are served with
 * the cheapest variant on c meeting s's accuracy floor, when that placement passes the
 * no-contention test of `UpperBoundSink` (`network + processing + overhead <= maxLatencyMs`, on
 * the links as they are in w, c not in an outage). A costlier variant on the same cluster has the
 * same network time and a longer processing time, so it passes only if the cheapest does and uses
 * more capacity: the cheapest dominates. The LP maximizes `sum x` subject to
 *
 * - demand: `sum_c x[w,s,c] <= arrivals[w,s]`;
 * - capacity, in slot-ms: `sum_s p[s,c] x[w,s,c] + z[w-1,c] - z[w,c] <= slots[c] * length[w]`, with
 *   `0 <= z[w,c] <= slots[c] * D[c]`: `z[w,c]` is work of arrivals before the end of w done on c
 *   after it, and `D[c]` the largest deadline of a stream that may use c.
 *
 * It bounds any policy's success ratio over the same arrivals (up to jitter, as the latency test
 * uses the mean network time): a query meeting its SLO ran on a placement passing the test, was
 * processed within `[createdAt, createdAt + maxLatencyMs]`, and c runs at most `slots[c]` queries
 * at once; so any run's successful queries give a feasible point of the LP (a fluid relaxation:
 * work may split, queues are ignored). The carry `z` lets a window's arrivals finish in later
 * windows, so the bound holds whatever the deadlines and window lengths (the suite's deadlines,
 * 6 to 200 ms, are far shorter than its 1 s windows, so `z` is small); carried work must end within
 * `D[c]` of a window's end, which still ties each window to its own capacity. Capacity is counted
 * from the first measured arrival to the last, plus the final carry (warm-up queries are ignored,
 * which only loosens the bound). Streams with the same options in a window are merged into one
 * demand row; that changes the LP's size, not its optimum.
 *
 * Windows: a stationary scenario (no dynamics, no modulation, Poisson streams only) gets one window;
 * otherwise windows are `windowMs` long and also cut at every dynamic event's start and end, so links
 * and outages are constant within a window and the latency test is exact for all its arrivals.
 * Shorter windows follow the load more closely and make the LP larger; with nested windows the finer
 * bound is never looser (its rows summed over a coarser window are the coarser LP's).
 *
 * `onRecord` counts a query in O(1) without allocating (the count array grows geometrically); the
 * LP is built and solved once, by {@link solve}, with HiGHS (WebAssembly, loaded on first use).
 */
export class CapacityBoundSink implements RecordSink {
  readonly windowMs: number;
  /** True when the whole measured span is one window. */
  readonly singleWindow: boolean;
  private readonly scenario: Scenario;
  private readonly overheadMs: number;
  private readonly streams: number;
  /** Dynamic event edges (ms) that are not multiples of `windowMs`, ascending, unique. */
  private readonly eventEdges: Float64Array;
  /** Measured arrivals per (window, stream): `counts[w * streams + s]`. */
  private counts: Uint32Array;
  private firstWindow = Infinity;
  private lastWindow = -1;
  private firstMs = Infinity;
  private lastMs = -Infinity;
  private offered = 0;
  private result: CapacityBound | undefined;

  constructor(
    private readonly catalog: PlacementCatalog,
    options: CapacityBoundOptions = {},
  ) {
    this.scenario = catalog.scenario;
    this.overheadMs = options.overheadMs ?? 0;
    const windowMs = options.windowMs ?? 1000;
    if (!(windowMs > 0) || !Number.isFinite(windowMs)) throw new Error(`windowMs must be a positive number of ms, got ${windowMs}`);
    this.windowMs = windowMs;
    this.singleWindow = options.windowMs === undefined && isStationaryScenario(this.scenario);
    this.streams = this.scenario.spec.workload.arrivals.length;
    const edges = new Set<number>();
    for (const e of this.scenario.spec.dynamics) {
      for (const ms of [e.startSec * 1000, (e.startSec + e.durationSec) * 1000]) if (ms > 0 && ms % windowMs !== 0) edges.add(ms);
    }
    this.eventEdges = Float64Array.from([...edges].sort((a, b) => a - b));
    this.counts = new Uint32Array(this.streams * (this.singleWindow ? 1 : 64));
  }

  onRecord(r: SimRecord): void {
    if (r.warmup) return;
    const t = r.createdAt;
    const w = this.windowAt(t);
    const i = w * this.streams + r.streamIndex;
    if (i >= this.counts.length) this.grow(i);
    this.counts[i] = (this.counts[i] as number) + 1;
    if (w < this.firstWindow) this.firstWindow = w;
    if (w > this.lastWindow) this.lastWindow = w;
    if (t < this.firstMs) this.firstMs = t;
    if (t > this.lastMs) this.lastMs = t;
    this.offered++;
    this.result = undefined;
  }

  /** Measured queries counted so far. */
  get queries(): number {
    return this.offered;
  }

  /** The bound from the last {@link solve}; throws when it never ran or records came in since. */
  get ratio(): number {
    if (!this.result) throw new Error('CapacityBoundSink: await solve() after the run before reading ratio');
    return this.result.ratio;
  }

  /** Builds and solves the LP over the records counted so far. Call it once the run has ended. */
  async solve(): Promise<CapacityBound> {
    this.result = this.solveWith(await loadHighs());
    return this.result;
  }

  /** Index of the window a query created `atMs` after the run start falls in. */
  private windowAt(atMs: number): number {
    if (this.singleWindow) return 0;
    // Window edges at or before atMs: the grid's, plus the event edges (binary search; there are few).
    const edges = this.eventEdges;
    let lo = 0;
    let hi = edges.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((edges[mid] as number) <= atMs) lo = mid + 1;
      else hi = mid;
    }
    return Math.floor(atMs / this.windowMs) + lo;
  }

  private grow(index: number): void {
    let size = this.counts.length;
    while (size <= index) size *= 2;
    const grown = new Uint32Array(size);
    grown.set(this.counts);
    this.counts = grown;
  }

  /** Edges of windows `first..last`: `edges[i]` starts window `first + i`, `edges[i + 1]` ends it. */
  private windowEdges(first: number, last: number): Float64Array {
    const edges = new Float64Array(last - first + 2);
    if (this.singleWindow) {
      edges[1] = Infinity;
      return edges;
    }
    // Merge the grid (k * windowMs) with the event edges, from the run start.
    let start = 0;
    let k = 1;
    let e = 0;
    for (let index = 0; index <= last; index++) {
      const grid = k * this.windowMs;
      const event = e < this.eventEdges.length ? (this.eventEdges[e] as number) : Infinity;
      const end = Math.min(grid, event);
      if (event < grid) e++;
      else k++;
      if (index >= first) {
        edges[index - first] = start;
        edges[index - first + 1] = end;
      }
      start = end;
    }
    return edges;
  }

  private solveWith(highs: Highs): CapacityBound {
    const t0 = performance.now();
    const streams = this.streams;
    const first = this.firstWindow;
    const nWindows = this.lastWindow - first + 1;
    const emptyLp = { columns: 0, rows: 0, nonzeros: 0, buildMs: 0, solveMs: 0 };
    if (this.offered === 0) return { ratio: 0, offeredQueries: 0, servedQueries: 0, windows: [], lp: emptyLp };
    const edges = this.windowEdges(first, this.lastWindow);
    const windows: CapacityBoundWindow[] = [];
    for (let i = 0; i < nWindows; i++) {
      let offered = 0;
      for (let s = 0; s < streams; s++) offered += this.counts[(first + i) * streams + s] as number;
      const fromMs = Math.max(edges[i] as number, this.firstMs);
      windows.push({ fromMs, toMs: Math.max(fromMs, Math.min(edges[i + 1] as number, this.lastMs)), offered, served: 0 });
    }

    // Demand per (window, class). Links and outages are constant within a window, so they are read at
    // its start; windows with the same active events share their classes.
    const states = new Map<string, TopologyState>();
    const windowState: TopologyState[] = [];
    const demand: Float64Array[] = [];
    for (let i = 0; i < nWindows; i++) {
      const at = edges[i] as number;
      const key = this.activeEvents(at);
      let state = states.get(key);
      if (!state) {
        state = { classOf: new Int32Array(streams).fill(-2), classes: [], byKey: new Map() };
        states.set(key, state);
      }
      const base = (first + i) * streams;
      for (let s = 0; s < streams; s++) if ((this.counts[base + s] as number) > 0 && state.classOf[s] === -2) this.classify(state, s, at);
      const d = new Float64Array(state.classes.length);
      for (let s = 0; s < streams; s++) {
        const k = state.classOf[s] as number;
        if (k >= 0) d[k] = (d[k] as number) + (this.counts[base + s] as number);
      }
      windowState.push(state);
      demand.push(d);
    }

    // The clusters any class may use, each with a capacity row per window and its carry bound D[c].
    const clusterCount = this.scenario.clusters.length;
    const deadline = new Float64Array(clusterCount);
    const clusterRow = new Int32Array(clusterCount).fill(-1);
    let used = 0;
    for (const state of states.values()) {
      for (const k of state.classes) {
        for (const c of k.clusters) {
          if ((clusterRow[c] as number) < 0) clusterRow[c] = used++;
          deadline[c] = Math.max(deadline[c] as number, k.maxLatencyMs);
        }
      }
    }
    const capacityRow = (i: number, c: number) => i * used + (clusterRow[c] as number);
    const rowUpper: number[] = new Array<number>(nWindows * used);
    for (let i = 0; i < nWindows; i++) {
      const win = windows[i] as CapacityBoundWindow;
      for (let c = 0; c < clusterCount; c++) if ((clusterRow[c] as number) >= 0) rowUpper[capacityRow(i, c)] = (this.catalog.slots[c] as number) * (win.toMs - win.fromMs);
    }

    // Columns in CSC: x[w,class,c] (capacity row, demand row), then z[w,c] (capacity rows w and w+1).
    const starts: number[] = [0];
    const indices: number[] = [];
    const values: number[] = [];
    const colUpper: number[] = [];
    const servedWindow: number[] = [];
    for (let i = 0; i < nWindows; i++) {
      const classes = (windowState[i] as TopologyState).classes;
      const d = demand[i] as Float64Array;
      for (let k = 0; k < d.length; k++) {
        const n = d[k] as number;
        if (n === 0) continue;
        const cls = classes[k] as StreamClass;
        const demandRow = rowUpper.length;
        rowUpper.push(n);
        for (let j = 0; j < cls.clusters.length; j++) {
          indices.push(capacityRow(i, cls.clusters[j] as number), demandRow);
          values.push(cls.processingMs[j] as number, 1);
          starts.push(indices.length);
          colUpper.push(n);
          servedWindow.push(i);
        }
      }
    }
    const servedColumns = colUpper.length;
    for (let i = 0; i < nWindows; i++) {
      for (let c = 0; c < clusterCount; c++) {
        if ((clusterRow[c] as number) < 0) continue;
        indices.push(capacityRow(i, c));
        values.push(-1);
        if (i + 1 < nWindows) {
          indices.push(capacityRow(i + 1, c));
          values.push(1);
        }
        starts.push(indices.length);
        colUpper.push((this.catalog.slots[c] as number) * (deadline[c] as number));
      }
    }
    const numCols = colUpper.length;
    const numRows = rowUpper.length;
    const lp = { columns: numCols, rows: numRows, nonzeros: indices.length, buildMs: performance.now() - t0, solveMs: 0 };
    if (servedColumns === 0) return { ratio: 0, offeredQueries: this.offered, servedQueries: 0, windows, lp };

    const t1 = performance.now();
    const colCost = new Float64Array(numCols);
    colCost.fill(1, 0, servedColumns);
    const colValue = highs.withModel(
      {
        numCols,
        numRows,
        sense: highs.constants.objectiveSense.maximize,
        colCost,
        colLower: new Float64Array(numCols),
        colUpper: Float64Array.from(colUpper),
        rowLower: new Float64Array(numRows).fill(-highs.infinity),
        rowUpper: Float64Array.from(rowUpper),
        matrix: { format: 'csc', numRows, numCols, starts: Int32Array.from(starts), indices: Int32Array.from(indices), values: Float64Array.from(values) },
      },
      (model) => {
        // Presolve costs more than it saves on this LP: without it the suite's windowed LPs solve about twice as fast.
        model.options.set({ output_flag: false, presolve: 'off' });
        const { modelStatus } = model.run();
        if (modelStatus !== highs.constants.modelStatus.optimal) throw new Error(`CapacityBoundSink: HiGHS ended with model status ${modelStatus}, not optimal`);
        return model.getSolution().colValue;
      },
    );
    lp.solveMs = performance.now() - t1;
    for (let j = 0; j < servedColumns; j++) (windows[servedWindow[j] as number] as CapacityBoundWindow).served += colValue[j] as number;
    let served = 0;
    for (const win of windows) {
      // Within the solver's feasibility tolerance of the demand rows.
      win.served = Math.min(win.offered, Math.max(0, win.served));
      served += win.served;
    }
    return { ratio: served / this.offered, offeredQueries: this.offered, servedQueries: served, windows, lp };
  }

  /** A key naming the dynamic events active `atMs` after the run start. */
  private activeEvents(atMs: number): string {
    let key = '';
    this.scenario.spec.dynamics.forEach((e, i) => {
      if (atMs >= e.startSec * 1000 && atMs < (e.startSec + e.durationSec) * 1000) key += `${i},`;
    });
    return key;
  }

  /** Puts stream `s` in its class under the topology at `atMs`: the clusters where it passes the latency test, with the cheapest variant there. */
  private classify(state: TopologyState, s: number, atMs: number): void {
    const scenario = this.scenario;
    const arrival = scenario.spec.workload.arrivals[s] as { source: string; app: string };
    const source = scenario.sourceIndex(arrival.source);
    const app = scenario.app(arrival.app) as ApplicationSpec;
    const requestBytes = app.payloadBytes ?? (this.catalog.zoo.task(app.task)?.inputShape.reduce((a, b) => a * b, 1) ?? 0) * 4;
    const best = new Map<number, number>();
    for (const { clusterIndex, hosted } of this.catalog.feasibleFor(app.task, app.slo.minAccuracy).options) {
      if (scenario.isDown(clusterIndex, atMs)) continue;
      const link = scenario.linkAtTime(source, clusterIndex, atMs);
      const network = link.rttMs + transferMs(link, requestBytes) + transferMs(link, app.replyBytes);
      const processingMs = hosted.processingMs * scenario.processingFactor(clusterIndex, atMs);
      if (network + processingMs + this.overheadMs > app.slo.maxLatencyMs) continue;
      const known = best.get(clusterIndex);
      if (known === undefined || processingMs < known) best.set(clusterIndex, processingMs);
    }
    if (best.size === 0) {
      state.classOf[s] = -1;
      return;
    }
    const clusters = Int32Array.from(best.keys()).sort();
    const processingMs = Float64Array.from(clusters, (c) => best.get(c) as number);
    const key = `${clusters.join(',')}|${processingMs.join(',')}`;
    let k = state.byKey.get(key);
    if (k === undefined) {
      k = state.classes.length;
      state.classes.push({ clusters, processingMs, maxLatencyMs: 0 });
      state.byKey.set(key, k);
    }
    const cls = state.classes[k] as StreamClass;
    cls.maxLatencyMs = Math.max(cls.maxLatencyMs, app.slo.maxLatencyMs);
    state.classOf[s] = k;
  }
}

/** True when the scenario's load and topology do not change over time: no dynamics, no modulation, Poisson streams only. */
export function isStationaryScenario(scenario: Scenario): boolean {
  const workload = scenario.spec.workload;
  return !scenario.hasDynamics && workload.modulation === undefined && workload.arrivals.every((a) => a.process.kind === 'poisson');
}

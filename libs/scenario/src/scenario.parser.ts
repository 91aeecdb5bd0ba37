import { dirname, isAbsolute, join } from 'node:path';
import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import { DATA_FILES, DataFileError, readDataFile } from '@aset/contracts';
import type { ModelZoo } from '@aset/model-zoo';
import { ScenarioSchema, type ScenarioSpec } from './scenario.schema.js';
import { ScenarioError, type ScenarioProblem } from './scenario.error.js';
import { Scenario } from './scenario.model.js';
import { parseTrace } from './trace.parser.js';

export interface ParseOptions {
  /** When given, the zoo binding is checked: variants exist, apps' tasks exist and are hosted somewhere. */
  zoo?: ModelZoo;
  /**
   * Reads files the scenario refers to (base scenarios, traces); defaults to the file system through
   * `readDataFile`, with the size limits of `DATA_FILES` (scenario, trace).
   */
  readFile?: (path: string) => string;
}

/** The outcome of parsing: a Scenario, or every problem found. Never throws. */
export type ParseResult = { ok: true; scenario: Scenario } | { ok: false; problems: ScenarioProblem[] };

/** Parses scenario YAML (or JSON) text. `file` names the origin in every problem. */
export function parseScenario(text: string, file: string, options: ParseOptions = {}): ParseResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((e) => ({
        file,
        path: '',
        line: lineCounter.linePos(e.pos[0]).line,
        message: `YAML syntax: ${e.message.split('\n')[0]}`,
      })),
    };
  }
  const lineOf = (path: readonly PropertyKey[]): number | undefined => locate(doc, lineCounter, path);
  const readBase = options.readFile ?? ((p: string) => readDataFile(p, DATA_FILES.scenario));
  const readTrace = options.readFile ?? ((p: string) => readDataFile(p, DATA_FILES.trace));
  const merged = resolveExtends(doc.toJS() as unknown, file, readBase, [file]);
  if (!merged.ok) return { ok: false, problems: merged.problems.map((p) => ({ ...p, line: p.file === file ? lineOf(['extends']) : p.line })) };
  const parsed = ScenarioSchema.safeParse(merged.value);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((i) => ({
        file,
        path: i.path.map(String).join('.'),
        line: lineOf(i.path),
        message: i.message,
      })),
    };
  }
  const problems = crossReferenceProblems(parsed.data, options.zoo).map((p) => ({
    file,
    path: p.path.map(String).join('.'),
    line: lineOf(p.path),
    message: p.message,
  }));
  if (problems.length > 0) return { ok: false, problems };
  const traces = loadTraces(parsed.data, file, readTrace, lineOf);
  if (!traces.ok) return traces;
  return { ok: true, scenario: new Scenario(parsed.data, file, traces.traces) };
}

/**
 * Applies `extends`: loads the base scenario (relative to `file`), resolves its own `extends`, and
 * merges this document over it: objects key by key, everything else replaced. Cycles are refused.
 */
function resolveExtends(
  doc: unknown,
  file: string,
  readFile: (path: string) => string,
  chain: string[],
): { ok: true; value: unknown } | { ok: false; problems: ScenarioProblem[] } {
  if (!isPlainObject(doc) || typeof doc['extends'] !== 'string') return { ok: true, value: doc };
  const basePath = isAbsolute(doc['extends']) ? doc['extends'] : join(dirname(file), doc['extends']);
  if (chain.includes(basePath)) {
    return { ok: false, problems: [{ file, path: 'extends', message: `extends forms a cycle: ${[...chain, basePath].join(' -> ')}` }] };
  }
  let text: string;
  try {
    text = readFile(basePath);
  } catch (e) {
    return { ok: false, problems: [{ file, path: 'extends', message: unreadable(e, 'base scenario', basePath) }] };
  }
  const counter = new LineCounter();
  const base = parseDocument(text, { lineCounter: counter, uniqueKeys: true });
  if (base.errors.length > 0) {
    return { ok: false, problems: base.errors.map((e) => ({ file: basePath, path: '', line: counter.linePos(e.pos[0]).line, message: `YAML syntax: ${e.message.split('\n')[0]}` })) };
  }
  const resolved = resolveExtends(base.toJS() as unknown, basePath, readFile, [...chain, basePath]);
  if (!resolved.ok) return resolved;
  const { extends: _ignored, ...own } = doc;
  return { ok: true, value: deepMerge(resolved.value, own) };
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function deepMerge(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = k in base ? deepMerge(base[k], v) : v;
  return out;
}

/** Reads every trace the workload replays; paths are relative to the scenario file. */
function loadTraces(
  spec: ScenarioSpec,
  file: string,
  readFile: (path: string) => string,
  lineOf: (path: readonly PropertyKey[]) => number | undefined,
): { ok: true; traces: Map<number, Float64Array> } | { ok: false; problems: ScenarioProblem[] } {
  const traces = new Map<number, Float64Array>();
  const problems: ScenarioProblem[] = [];
  spec.workload.arrivals.forEach((a, i) => {
    if (a.process.kind !== 'trace') return;
    const where = ['workload', 'arrivals', i, 'process', 'file'];
    const path = isAbsolute(a.process.file) ? a.process.file : join(dirname(file), a.process.file);
    let text: string;
    try {
      text = readFile(path);
    } catch (e) {
      problems.push({ file, path: where.join('.'), line: lineOf(where), message: unreadable(e, 'trace', path) });
      return;
    }
    const parsed = parseTrace(text, path);
    if (parsed.ok) traces.set(i, parsed.offsetsMs);
    else problems.push(...parsed.problems);
  });
  return problems.length ? { ok: false, problems } : { ok: true, traces };
}

/** Why a file the scenario names (`what` at `path`) cannot be used: an I/O error's code, or what is wrong with the file. */
function unreadable(e: unknown, what: string, path: string): string {
  if (e instanceof DataFileError) return e.code ? `cannot read ${what} ${path} (${e.code})` : `${what} ${path} ${e.detail}`;
  return `cannot read ${what} ${path} (${e instanceof Error && 'code' in e ? String(e.code) : String(e)})`;
}

/**
 * Reads and parses a scenario file (at most `DATA_FILES.scenario.maxBytes`, UTF-8). Throws
 * ScenarioError listing every problem.
 */
export function readScenarioFile(path: string, options: ParseOptions = {}): Scenario {
  let text: string;
  try {
    text = readDataFile(path, DATA_FILES.scenario);
  } catch (e) {
    const detail = e instanceof DataFileError ? (e.code ? `cannot read the file (${e.code})` : `the file ${e.detail}`) : String(e);
    throw new ScenarioError([{ file: path, path: '', message: detail }]);
  }
  const result = parseScenario(text, path, options);
  if (!result.ok) throw new ScenarioError(result.problems);
  return result.scenario;
}

type RawProblem = { path: (string | number)[]; message: string };

function crossReferenceProblems(spec: ScenarioSpec, zoo?: ModelZoo): RawProblem[] {
  const problems: RawProblem[] = [];
  const ids = (list: { id: string }[], key: string) => {
    const seen = new Set<string>();
    list.forEach((x, i) => {
      if (seen.has(x.id)) problems.push({ path: [key, i, 'id'], message: `duplicate id "${x.id}"` });
      seen.add(x.id);
    });
    return seen;
  };
  const clusters = ids(spec.clusters, 'clusters');
  const sources = ids(spec.sources, 'sources');
  const apps = ids(spec.applications, 'applications');
  const hardware = Object.keys(spec.hardwareClasses);

  spec.clusters.forEach((c, i) => {
    if (!spec.hardwareClasses[c.hardware]) {
      problems.push({ path: ['clusters', i, 'hardware'], message: `unknown hardware class "${c.hardware}"; expected one of: ${hardware.join(', ') || '(none defined)'}` });
    }
  });

  problems.push(...linkProblems(spec, sources, clusters));

  spec.workload.arrivals.forEach((a, i) => {
    if (!sources.has(a.source)) problems.push({ path: ['workload', 'arrivals', i, 'source'], message: `unknown source "${a.source}"` });
    if (!apps.has(a.app)) problems.push({ path: ['workload', 'arrivals', i, 'app'], message: `unknown application "${a.app}"` });
  });

  for (const app of Object.keys(spec.workload.appLoadScale ?? {})) {
    if (!apps.has(app)) problems.push({ path: ['workload', 'appLoadScale', app], message: `unknown application "${app}"` });
  }
  const modulation = spec.workload.modulation;
  if (modulation && modulation.kind !== 'diurnal') {
    modulation.sources?.forEach((s, j) => {
      if (!sources.has(s)) problems.push({ path: ['workload', 'modulation', 'sources', j], message: `unknown source "${s}"` });
    });
    modulation.apps?.forEach((a, j) => {
      if (!apps.has(a)) problems.push({ path: ['workload', 'modulation', 'apps', j], message: `unknown application "${a}"` });
    });
  }

  spec.dynamics.forEach((d, i) => {
    if (!d.clusters && !d.tiers) problems.push({ path: ['dynamics', i], message: 'name the affected clusters (clusters: [...]) or tiers (tiers: [...])' });
    d.clusters?.forEach((c, j) => {
      if (!clusters.has(c)) problems.push({ path: ['dynamics', i, 'clusters', j], message: `unknown cluster "${c}"` });
    });
    if (d.kind === 'link-degradation') {
      d.sources?.forEach((s, j) => {
        if (!sources.has(s)) problems.push({ path: ['dynamics', i, 'sources', j], message: `unknown source "${s}"` });
      });
    }
  });

  spec.clusters.forEach((c, i) => {
    for (const v of Object.keys(c.batching ?? {})) {
      if (!c.variants.includes(v)) problems.push({ path: ['clusters', i, 'batching', v], message: `variant "${v}" is not hosted by cluster ${c.id} (variants: ${c.variants.join(', ')})` });
    }
  });

  if (zoo) {
    spec.clusters.forEach((c, i) =>
      c.variants.forEach((v, j) => {
        if (!zoo.variant(v)) {
          problems.push({ path: ['clusters', i, 'variants', j], message: `variant "${v}" is not in the model zoo (${zoo.manifestFile})` });
        }
      }),
    );
    spec.applications.forEach((a, i) => {
      if (!zoo.task(a.task)) {
        problems.push({ path: ['applications', i, 'task'], message: `task "${a.task}" is not in the model zoo; known: ${Object.keys(zoo.manifest.tasks).join(', ')}` });
        return;
      }
      const hosted = spec.clusters.some((c) => c.variants.some((v) => zoo.variant(v)?.task === a.task));
      if (!hosted) problems.push({ path: ['applications', i, 'task'], message: `no cluster hosts a variant of task "${a.task}"` });
    });
  }
  return problems;
}

function linkProblems(spec: ScenarioSpec, sources: Set<string>, clusters: Set<string>): RawProblem[] {
  const problems: RawProblem[] = [];
  if (spec.linkMatrix) {
    if (spec.links.length > 0) return [{ path: ['linkMatrix'], message: 'give either links or linkMatrix, not both' }];
    const m = spec.linkMatrix;
    for (const key of ['rttMs', 'bandwidthMbps', 'jitterMs'] as const) {
      if (m[key].length !== spec.sources.length) {
        problems.push({ path: ['linkMatrix', key], message: `expected ${spec.sources.length} rows (one per source), got ${m[key].length}` });
        continue;
      }
      m[key].forEach((row, i) => {
        if (row.length !== spec.clusters.length) {
          problems.push({ path: ['linkMatrix', key, i], message: `expected ${spec.clusters.length} columns (one per cluster), got ${row.length}` });
        }
      });
    }
    return problems.slice(0, 10);
  }
  const pairs = new Set<string>();
  spec.links.forEach((l, i) => {
    if (!sources.has(l.source)) problems.push({ path: ['links', i, 'source'], message: `unknown source "${l.source}"` });
    if (!clusters.has(l.cluster)) problems.push({ path: ['links', i, 'cluster'], message: `unknown cluster "${l.cluster}"` });
    const key = `${l.source}\u0000${l.cluster}`;
    if (pairs.has(key)) problems.push({ path: ['links', i], message: `duplicate link ${l.source} -> ${l.cluster}` });
    pairs.add(key);
  });
  const missing: string[] = [];
  for (const s of spec.sources) for (const c of spec.clusters) if (!pairs.has(`${s.id}\u0000${c.id}`)) missing.push(`${s.id} -> ${c.id}`);
  if (missing.length > 0) {
    problems.push({
      path: ['links'],
      message: `every (source, cluster) pair needs a link (or use linkMatrix); missing ${missing.length}: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', ...' : ''}`,
    });
  }
  return problems;
}

/** 1-based line of the node at `path`, or of its nearest existing ancestor. */
function locate(doc: Document, counter: LineCounter, path: readonly PropertyKey[]): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n) as unknown[], true);
    if (isNode(node) && node.range) return counter.linePos(node.range[0]).line;
  }
  return undefined;
}

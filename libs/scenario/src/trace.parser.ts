import type { ScenarioProblem } from './scenario.error.js';

/**
 * Parses an arrival trace CSV: an optional run of `#` comment lines, a header naming an `offset_ms`
 * column (other columns are ignored), then one arrival per row, `offset_ms` milliseconds after the
 * trace starts (finite, >= 0, non-decreasing). Problems name the file and the 1-based line.
 */
export function parseTrace(text: string, file: string): { ok: true; offsetsMs: Float64Array } | { ok: false; problems: ScenarioProblem[] } {
  const lines = text.split(/\r?\n/);
  const problems: ScenarioProblem[] = [];
  let header = -1;
  let column = -1;
  const offsets: number[] = [];
  for (let i = 0; i < lines.length && problems.length < 20; i++) {
    const line = (lines[i] as string).trim();
    if (line === '' || line.startsWith('#')) continue;
    const cells = line.split(',').map((c) => c.trim());
    if (header < 0) {
      header = i;
      column = cells.indexOf('offset_ms');
      if (column < 0) {
        problems.push({ file, path: '', line: i + 1, message: `header must name an offset_ms column, got: ${line.slice(0, 120)}` });
        break;
      }
      continue;
    }
    const value = Number(cells[column]);
    if (cells[column] === undefined || cells[column] === '' || !Number.isFinite(value) || value < 0) {
      problems.push({ file, path: 'offset_ms', line: i + 1, message: `expected a number of milliseconds >= 0, got ${JSON.stringify(cells[column] ?? '')}` });
      continue;
    }
    const previous = offsets[offsets.length - 1];
    if (previous !== undefined && value < previous) {
      problems.push({ file, path: 'offset_ms', line: i + 1, message: `offsets must not decrease: ${value} after ${previous}` });
      continue;
    }
    offsets.push(value);
  }
  if (problems.length === 0 && header < 0) problems.push({ file, path: '', line: 1, message: 'empty trace: expected a header with an offset_ms column and at least one row' });
  if (problems.length === 0 && offsets.length === 0) problems.push({ file, path: '', line: header + 2, message: 'the trace has no arrivals' });
  return problems.length ? { ok: false, problems } : { ok: true, offsetsMs: Float64Array.from(offsets) };
}

/** One problem in a scenario file: which file, where inside it, and what was expected. */
export interface ScenarioProblem {
  file: string;
  /** Dotted path inside the document, e.g. `clusters.2.tier`; empty for the whole document. */
  path: string;
  /** 1-based line in the file, when known. */
  line?: number;
  message: string;
}

export function formatProblem(p: ScenarioProblem): string {
  return `${p.file}${p.line ? `:${p.line}` : ''}: ${p.path || '(document)'}: ${p.message}`;
}

/** Thrown by the loaders; `problems` lists every problem found, not only the first. */
export class ScenarioError extends Error {
  constructor(readonly problems: ScenarioProblem[]) {
    super(`invalid scenario:\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`);
    this.name = 'ScenarioError';
  }
}

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '@aset/command-line';

const DOC = join(REPO_ROOT, 'docs', 'extending.md');
const REPO_PATH = /`((?:apps|libs|tools|docs|scenarios|infra)\/[\w./-]+\.(?:ts|md|yaml|json))`/g;

/** Each fenced block that follows an `<!-- excerpt: <file> -->` line, with that file. */
function excerpts(markdown: string): { file: string; code: string; line: number }[] {
  const lines = markdown.split('\n');
  const found: { file: string; code: string; line: number }[] = [];
  lines.forEach((line, i) => {
    const m = /^<!-- excerpt: (\S+) -->$/.exec(line.trim());
    if (!m) return;
    const open = lines[i + 1] ?? '';
    if (!open.startsWith('```')) throw new Error(`docs/extending.md:${i + 1}: an excerpt marker must be followed by a fenced block`);
    const end = lines.findIndex((l, j) => j > i + 1 && l.startsWith('```'));
    found.push({ file: m[1] as string, code: lines.slice(i + 2, end).join('\n'), line: i + 1 });
  });
  return found;
}

/**
 * The developer guide shows the repository's code: every excerpt is a verbatim run of lines of the
 * file it names (so the guide cannot drift from the code that its examples' tests compile and run),
 * every repository path it names exists, and every `npm run` script it names is defined.
 */
describe('docs/extending.md', () => {
  const markdown = readFileSync(DOC, 'utf8');

  it('quotes only code that is in the repository, verbatim', () => {
    const blocks = excerpts(markdown);
    expect(blocks.length).toBeGreaterThanOrEqual(8);
    for (const { file, code, line } of blocks) {
      const path = join(REPO_ROOT, file);
      expect(existsSync(path), `docs/extending.md:${line}: ${file} does not exist`).toBe(true);
      expect(readFileSync(path, 'utf8').includes(`${code}\n`), `docs/extending.md:${line}: the excerpt is not in ${file}`).toBe(true);
    }
  });

  it('names only files and npm scripts that exist', () => {
    const paths = [...markdown.matchAll(REPO_PATH)].map((m) => m[1] as string);
    expect(paths.length).toBeGreaterThan(10);
    for (const p of paths) expect(existsSync(join(REPO_ROOT, p)), p).toBe(true);
    const scripts = Object.keys((JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts);
    for (const m of markdown.matchAll(/npm run (?:-s )?([\w:-]+)/g)) expect(scripts, m[0]).toContain(m[1]);
  });
});

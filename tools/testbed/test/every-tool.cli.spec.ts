import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '@aset/testbed';

const run = promisify(execFile);

/**
 * Every command of package.json (`npm run <name>`), as its compiled entry point: the scripts that
 * go through `tools/bootstrap.mjs script <entry>`, and `demo`. A command added there is checked
 * here with no change.
 */
function commands(): [name: string, entry: string][] {
  const scripts = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  const entries = Object.entries(scripts).flatMap(([name, script]): [string, string][] => {
    const m = /bootstrap\.mjs script (\S+)/.exec(script);
    return m ? [[name, m[1] as string]] : [];
  });
  return [...entries, ['demo', 'tools/testbed/dist/demo.main.js']];
}

/** Runs a command's entry point; never throws (exit code in `code`). */
async function cli(entry: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [join(REPO_ROOT, entry), ...args], { cwd: REPO_ROOT, timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const failed = e as { code?: number; stdout?: string; stderr?: string; killed?: boolean };
    if (failed.killed) throw new Error(`${entry} ${args.join(' ')} did not finish within 60 s: it does not refuse the value before it starts working`);
    return { code: typeof failed.code === 'number' ? failed.code : -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

const aFile = join(mkdtempSync(join(tmpdir(), 'aset-cli-')), 'a-file');
writeFileSync(aFile, '');

/**
 * One bad value of each kind of option, by the option's form in the help text: a count, a seed, a
 * rate, a directory, a choice. Each must be refused before the command starts any work, with a
 * message that names the flag, and no stack trace.
 */
const BAD_VALUES: Record<string, string> = {
  '--queries <n>': '0',
  '--seed <n>': '-1',
  '--rate-scale <x>': '0',
  '--threads <n>': '0',
  '--repeats <n>': 'two',
  '--runs <n>': '0',
  '--seconds <s>': '-5',
  '--out <dir>': aFile,
  '--policy <name>': 'no-such-policy',
  '--policies <names>': 'closest,no-such-policy',
  '--policies <names|all>': 'closest,,random',
};

/** The `--flag <value>` forms a help text lists. */
const optionForms = (help: string) => [...help.matchAll(/^\s+(?:-\w, )?(--[a-z-]+(?: <[^>]+>)?)/gm)].map((m) => m[1] as string);

describe('every command of package.json', () => {
  const all = commands();

  it('finds the commands', () => {
    expect(all.length).toBeGreaterThanOrEqual(20);
    expect(all.map(([name]) => name)).toEqual(expect.arrayContaining(['sim', 'train', 'experiment', 'sweep', 'demo', 'bench:worker', 'infra:render']));
  });

  it.each(all)('%s: --help describes the command and every option, and exits 0', async (_name, entry) => {
    const r = await cli(entry, ['--help']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Usage: /);
    // A description line after the usage line.
    expect(r.stdout.split('\n')[2]?.trim().length ?? 0).toBeGreaterThan(20);
    expect(r.stdout).not.toMatch(/see below/i);
    // Every option has a description (commander prints the flags alone when it has none).
    const bare = r.stdout.split('\n').filter((line) => /^\s+(?:-\w, )?--[a-z-]+(?: <[^>]+>| \[[^\]]+\])?\s*$/.test(line));
    expect(bare).toEqual([]);
  });

  // Benchmarks always end with one JSON line; these write files, and print only what they wrote.
  const FILE_WRITERS = ['scenario:isp', 'scenario:schema', 'infra:render', 'nats:credentials', 'report'];
  it.each(all.filter(([name]) => !name.startsWith('bench:') && !FILE_WRITERS.includes(name)))('%s: prints its results as JSON with --json', async (_name, entry) => {
    expect((await cli(entry, ['--help'])).stdout).toMatch(/^\s+--json\s+\S/m);
  });

  it.each(all)('%s: refuses an unknown option and one bad value of each kind it takes, naming the flag', async (_name, entry) => {
    const unknown = await cli(entry, ['--no-such-option']);
    expect(unknown.code).not.toBe(0);
    // (A command with required options names the first one missing instead.)
    expect(unknown.stderr).toMatch(/unknown option '--no-such-option'|required option '--/);
    const help = (await cli(entry, ['--help'])).stdout;
    for (const form of optionForms(help).filter((f) => f in BAD_VALUES)) {
      const flag = form.split(' ')[0] as string;
      const bad = BAD_VALUES[form] as string;
      const r = await cli(entry, [flag, bad]);
      expect({ form, code: r.code === 0 ? 0 : 'failed' }).toEqual({ form, code: 'failed' });
      expect(r.stderr, `${entry} ${flag} ${bad}`).toContain(flag);
      expect(r.stderr, `${entry} ${flag} ${bad}: a stack trace`).not.toMatch(/\n\s+at /);
    }
  });
});

import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, appEntry } from '@aset/testbed';

const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';

/** Resolves with `pick(line)` for the first line of `stream` it is defined for. */
function waitForLine<T>(stream: NodeJS.ReadableStream, pick: (line: string) => T | undefined, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error(`no matching line within ${timeoutMs} ms; output so far:\n${buffered}`)), timeoutMs);
    stream.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      for (const line of buffered.split('\n')) {
        const value = pick(line);
        if (value !== undefined) {
          clearTimeout(timer);
          resolve(value);
          return;
        }
      }
    });
  });
}

describe('service signals', () => {
  const diagnostics = mkdtempSync(join(tmpdir(), 'aset-signals-'));
  afterAll(() => rmSync(diagnostics, { recursive: true, force: true }));

  it('a heap snapshot on SIGUSR2 leaves the service serving; SIGTERM stops it', { timeout: 120_000 }, async () => {
    const child = spawn(process.execPath, [`--heapsnapshot-signal=SIGUSR2`, `--diagnostic-dir=${diagnostics}`, appEntry('scheduler')], {
      cwd: REPO_ROOT,
      env: { PATH: process.env['PATH'] ?? '', NATS_URL, HTTP_PORT: '0', SCHEDULER_POLICY: 'round-robin', NATS_PREFIX: `signals_${process.pid}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<string>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? `exit ${code}`)));
    try {
      const port = await waitForLine(child.stdout, (line) => /"httpPort":(\d+)/.exec(line)?.[1], 60_000);
      child.kill('SIGUSR2');
      const deadline = Date.now() + 60_000;
      while (!readdirSync(diagnostics).some((f) => f.endsWith('.heapsnapshot')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      expect(readdirSync(diagnostics).filter((f) => f.endsWith('.heapsnapshot'))).toHaveLength(1);
      const health = await fetch(`http://127.0.0.1:${port}/health`);
      expect(health.status).toBe(200);
      expect(child.exitCode).toBeNull();
      child.kill('SIGTERM');
      // Nest closes the application, then raises the signal again: the process ends by SIGTERM.
      expect(await exited).toBe('SIGTERM');
    } finally {
      child.kill('SIGKILL');
    }
  });
});

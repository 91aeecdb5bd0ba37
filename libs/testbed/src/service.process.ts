import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join, resolve } from 'node:path';
import { reapOnExit } from './exit.reaper.js';

/** Environment variable naming a folder: every service the testbed starts writes its V8 CPU profile there. */
export const CPU_PROFILE_DIR_VAR = 'TESTBED_CPU_PROFILE_DIR';

export interface ServiceProcessOptions {
  /** Label for messages, e.g. `worker far-edge-1`. */
  name: string;
  /** Script run with this Node.js binary. */
  entry: string;
  /**
   * The service's configuration. It goes on top of this process's own environment, so a variable the
   * user exported (LOG_LEVEL, EMULATE_NETWORK, ...) reaches the service unless the caller sets it here.
   */
  env: Record<string, string>;
  cwd: string;
  /** Where stdout and stderr go (appended). */
  logFile: string;
  /** Pass output through to this process's stdout/stderr too. */
  inheritOutput?: boolean;
  /** Run it in this Linux network namespace (through `ip netns exec`, which execs, so signals reach the service itself). */
  netns?: string;
}

/**
 * One service as a child process, its output in a log file. Knows how to wait for readiness
 * (`GET /health` answering 200) and how to stop (SIGTERM, then SIGKILL after a grace period).
 */
export class ServiceProcess {
  readonly exited: Promise<number | null>;
  private recent = '';
  private readonly log: WriteStream;

  private constructor(
    readonly options: ServiceProcessOptions,
    readonly child: ChildProcess,
  ) {
    this.log = createWriteStream(options.logFile, { flags: 'a' });
    const take = (chunk: Buffer, sink: NodeJS.WriteStream) => {
      this.log.write(chunk);
      this.recent = (this.recent + chunk.toString()).slice(-8000);
      if (options.inheritOutput) sink.write(chunk);
    };
    child.stdout?.on('data', (c: Buffer) => take(c, process.stdout));
    child.stderr?.on('data', (c: Buffer) => take(c, process.stderr));
    const forget = reapOnExit(child);
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        forget();
        this.log.end();
        resolve(code ?? (signal ? 128 : null));
      }),
    );
  }

  /**
   * Starts the service. With TESTBED_CPU_PROFILE_DIR set, it runs under `--cpu-prof` and writes its
   * V8 CPU profile into `<dir>/<name>/` when it exits (after SIGTERM; not after SIGKILL).
   */
  static start(options: ServiceProcessOptions): ServiceProcess {
    const profileDir = process.env[CPU_PROFILE_DIR_VAR];
    const profiling = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${join(resolve(profileDir), options.name.replace(/[^\w.-]+/g, '-'))}`] : [];
    const node = [process.execPath, ...profiling, '--enable-source-maps', options.entry];
    const [command, ...args] = options.netns ? ['ip', 'netns', 'exec', options.netns, ...node] : node;
    const child = spawn(command as string, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new ServiceProcess(options, child);
  }

  get name(): string {
    return this.options.name;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The last lines of output, for error messages. */
  tail(lines = 15): string {
    return this.recent.trimEnd().split('\n').slice(-lines).join('\n');
  }

  /** Polls `url` until it answers 200; fails early, with the output tail, if the process exits. */
  async waitHealthy(url: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.running) {
        throw new Error(`${this.name} exited with code ${this.child.exitCode} before it was ready (log ${this.options.logFile}):\n${this.tail()}`);
      }
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`${this.name} was not healthy at ${url} after ${timeoutMs} ms (log ${this.options.logFile}):\n${this.tail()}`);
  }

  /** True between {@link pause} and {@link resume}. */
  paused = false;

  /** SIGSTOP: the process keeps its sockets but runs nothing (a gray failure) until {@link resume}. */
  pause(): void {
    if (!this.running) throw new Error(`${this.name} is not running, so it cannot be paused`);
    this.child.kill('SIGSTOP');
    this.paused = true;
  }

  /** SIGCONT after {@link pause}. */
  resume(): void {
    if (!this.running) throw new Error(`${this.name} is not running, so it cannot be resumed`);
    this.child.kill('SIGCONT');
    this.paused = false;
  }

  /** SIGTERM, then SIGKILL after `graceMs` (a paused process is continued so that it can stop). Resolves with the exit code. */
  async stop(graceMs = 5000): Promise<number | null> {
    if (this.running) {
      this.child.kill('SIGTERM');
      if (this.paused) this.resume();
      const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
      const code = await this.exited;
      clearTimeout(timer);
      return code;
    }
    return this.exited;
  }

  /** Immediate SIGKILL, as a crash would. */
  async kill(): Promise<number | null> {
    if (this.running) this.child.kill('SIGKILL');
    return this.exited;
  }
}

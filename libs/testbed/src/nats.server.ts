import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { freePort, waitForPort } from './free.port.js';
import { reapOnExit } from './exit.reaper.js';
import type { ManagedService, Say } from './managed.service.js';

const CANDIDATES = ['/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server'];

const HOW_TO_GET_NATS =
  'nats-server is not installed and could not be installed automatically. Either install it ' +
  '(Debian/Ubuntu: `sudo apt-get install nats-server`; macOS: `brew install nats-server`; others: ' +
  'https://docs.nats.io/running-a-nats-service/introduction/installation) or point ASET at a running server ' +
  'with JetStream enabled: NATS_URL=nats://host:4222.';

function findNatsServer(): string | undefined {
  const onPath = spawnSync('sh', ['-c', 'command -v nats-server'], { encoding: 'utf8' }).stdout.trim();
  return onPath || CANDIDATES.find((p) => existsSync(p));
}

/** Installs Debian's nats-server when we are root (or have passwordless sudo) and apt-get exists. */
function tryInstallNats(say: Say): boolean {
  if (!existsSync('/usr/bin/apt-get')) return false;
  const asRoot = process.getuid?.() === 0;
  const sudo = !asRoot && spawnSync('sudo', ['-n', 'true']).status === 0;
  if (!asRoot && !sudo) return false;
  say('nats-server not found: installing Debian package nats-server ...');
  const apt = (args: string[]) =>
    spawnSync(asRoot ? 'apt-get' : 'sudo', asRoot ? args : ['apt-get', ...args], {
      stdio: 'ignore',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    }).status === 0;
  return apt(['install', '-y', 'nats-server']) || (apt(['update']) && apt(['install', '-y', 'nats-server']));
}

/** The nats-server binary; installs the Debian package when missing and possible, else fails saying how to get one. */
export function requireNatsServer(say: Say): string {
  let binary = findNatsServer();
  if (!binary && tryInstallNats(say)) binary = findNatsServer();
  if (!binary) throw new Error(HOW_TO_GET_NATS);
  return binary;
}

/**
 * NATS for a testbed: `NATS_URL` when set, else a private nats-server with JetStream on a free
 * port, storing under `dataDir`. Installs the Debian package when missing and possible; otherwise
 * fails with one message that says how to get a server.
 */
export async function provideNats(options: { env?: string | undefined; dataDir: string; say: Say }): Promise<ManagedService> {
  if (options.env) return { url: options.env, started: false, stop: async () => {} };
  const binary = requireNatsServer(options.say);
  mkdirSync(options.dataDir, { recursive: true });
  const port = await freePort();
  const server = await startNatsServer(binary, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', options.dataDir], { readyAt: { host: '127.0.0.1', port } });
  options.say(`started nats-server (JetStream) on 127.0.0.1:${port}`);
  return { url: `nats://127.0.0.1:${port}`, started: true, pid: server.pid, stop: () => server.stop() };
}

/** A nats-server process this process started; it goes down with this process. */
export interface NatsServerProcess {
  readonly pid: number | undefined;
  /** The last lines the server wrote, for error messages. */
  tail(): string;
  /** SIGTERM, then SIGKILL after 5 s. */
  stop(): Promise<void>;
  /** SIGKILL at once, as a crash; resolves once the process is gone. */
  kill(): Promise<void>;
}

/**
 * Starts `binary` with `args` (in network namespace `netns` when given, through `ip netns exec`)
 * and resolves once it accepts connections at `readyAt`, reachable from this process. Rejects, with
 * the server's last words, when it exits first or is not ready within 10 s.
 */
export async function startNatsServer(
  binary: string,
  args: string[],
  options: { readyAt: { host: string; port: number }; env?: Record<string, string>; netns?: string },
): Promise<NatsServerProcess> {
  const [command, argv] = options.netns ? ['ip', ['netns', 'exec', options.netns, binary, ...args]] : [binary, args];
  const child = spawn(command, argv, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...options.env } });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const tail = () => stderr.trim().split('\n').slice(-3).join(' | ');
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    await Promise.race([
      waitForPort(options.readyAt.host, options.readyAt.port, 10_000),
      exited.then((code) => {
        throw new Error(`nats-server exited with code ${code} at start: ${tail()}`);
      }),
    ]);
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  const forget = reapOnExit(child);
  return {
    pid: child.pid,
    tail,
    stop: async () => {
      forget();
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
    kill: async () => {
      forget();
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}

#!/usr/bin/env node
// Entry point of `npm test` and `npm run demo`: installs dependencies when they are missing or
// stale, builds what changed (Nx cache), then runs the command. Plain Node.js: it must run before
// node_modules exists.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [command, ...args] = process.argv.slice(2);
const env = { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip', NX_NO_CLOUD: 'true', NX_DAEMON: process.env.NX_DAEMON ?? 'false' };

/** Runs a step; `quiet` sends its stdout to stderr so that a benchmark's stdout stays one JSON line. */
function run(cmd, cmdArgs, what, quiet = false) {
  const r = spawnSync(cmd, cmdArgs, { cwd: root, stdio: quiet ? ['inherit', 2, 'inherit'] : 'inherit', env });
  if (r.error) {
    console.error(`${what} could not start: ${r.error.message}`);
    process.exit(1);
  }
  if (r.status !== 0) {
    console.error(`${what} failed (exit ${r.status ?? r.signal}).`);
    process.exit(r.status ?? 1);
  }
}

function installIfNeeded(quiet) {
  const marker = join(root, 'node_modules', '.package-lock.json');
  const lock = join(root, 'package-lock.json');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  console.error('bootstrap: installing dependencies (npm ci) ...');
  run('npm', ['ci', '--no-audit', '--no-fund'], 'npm ci', quiet);
}

/**
 * Debian packages some tests drive, installed when missing and this machine allows it (root or
 * passwordless sudo, apt-get); otherwise those tests say how to get them:
 * - chromium (/usr/bin/chromium): the dashboard test, through playwright-core, which never
 *   downloads a browser.
 * (promtool, for the metrics lint, comes with Debian's prometheus package, which would also start a
 * Prometheus server: .ci/run installs it on the CI machine; elsewhere the lint runs where it is installed.)
 */
function ensureDebianPackages() {
  const wanted = [
    ['/usr/bin/chromium', 'chromium', 'the dashboard test', []],
  ].filter(([binary]) => !existsSync(binary));
  if (wanted.length === 0 || !existsSync('/usr/bin/apt-get')) return;
  const asRoot = process.getuid?.() === 0;
  if (!asRoot && spawnSync('sudo', ['-n', 'true']).status !== 0) return;
  const apt = (aptArgs) =>
    spawnSync(asRoot ? 'apt-get' : 'sudo', asRoot ? aptArgs : ['apt-get', ...aptArgs], {
      stdio: ['ignore', 2, 2],
      env: { ...env, DEBIAN_FRONTEND: 'noninteractive' },
    }).status === 0;
  for (const [, pkg, purpose, flags] of wanted) {
    console.error(`bootstrap: installing Debian's ${pkg} for ${purpose} (apt-get) ...`);
    const install = ['install', '-y', '-qq', ...flags, pkg];
    if (!(apt(install) || (apt(['update', '-qq']) && apt(install)))) console.error(`bootstrap: could not install ${pkg}; ${purpose} will say so.`);
  }
}

function build(quiet) {
  run('npx', ['nx', 'run-many', '-t', 'build', '--outputStyle=static'], 'build', quiet);
}

installIfNeeded(command === 'script');
switch (command) {
  case 'test':
    // Lint (ESLint module boundaries + type-check of tests) and build every project, then one vitest run.
    run('npx', ['nx', 'run-many', '-t', 'build', 'lint', '--outputStyle=static'], 'build and lint');
    ensureDebianPackages();
    run('npx', ['vitest', 'run', ...args], 'tests');
    break;
  case 'demo':
    build();
    run(process.execPath, [join(root, 'tools/testbed/dist/demo.main.js'), ...args], 'demo');
    break;
  case 'script': {
    // A compiled tool (benchmarks, CLIs): install and build quietly, then run it with the remaining args.
    const [script, ...rest] = args;
    build(true);
    run(process.execPath, [join(root, script), ...rest], script);
    break;
  }
  default:
    console.error(`usage: node tools/bootstrap.mjs test|demo|script <file> [args...]`);
    process.exit(2);
}

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

function run(cmd, cmdArgs, what) {
  const r = spawnSync(cmd, cmdArgs, { cwd: root, stdio: 'inherit', env });
  if (r.error) {
    console.error(`${what} could not start: ${r.error.message}`);
    process.exit(1);
  }
  if (r.status !== 0) {
    console.error(`${what} failed (exit ${r.status ?? r.signal}).`);
    process.exit(r.status ?? 1);
  }
}

function installIfNeeded() {
  const marker = join(root, 'node_modules', '.package-lock.json');
  const lock = join(root, 'package-lock.json');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  console.log('bootstrap: installing dependencies (npm ci) ...');
  run('npm', ['ci', '--no-audit', '--no-fund'], 'npm ci');
}

function build() {
  run('npx', ['nx', 'run-many', '-t', 'build', '--outputStyle=static'], 'build');
}

installIfNeeded();
switch (command) {
  case 'test':
    // Lint (ESLint module boundaries + type-check of tests) and build every project, then one vitest run.
    run('npx', ['nx', 'run-many', '-t', 'build', 'lint', '--outputStyle=static'], 'build and lint');
    run('npx', ['vitest', 'run', ...args], 'tests');
    break;
  case 'demo':
    build();
    run(process.execPath, [join(root, 'tools/testbed/dist/demo.main.js'), ...args], 'demo');
    break;
  default:
    console.error(`usage: node tools/bootstrap.mjs test|demo [args...]`);
    process.exit(2);
}

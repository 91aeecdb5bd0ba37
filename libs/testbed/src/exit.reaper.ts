import type { ChildProcess } from 'node:child_process';

const children = new Set<ChildProcess>();
const tasks = new Set<() => void>();
let installed = false;

function install(): void {
  if (installed) return;
  installed = true;
  process.once('exit', () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
    for (const task of tasks) {
      try {
        task();
      } catch {
        // The process is exiting: one failed clean-up must not stop the others.
      }
    }
  });
}

/**
 * Makes `child` go down with this process, whatever ends it (other libraries call process.exit on
 * signals): one `exit` listener for all children. Returns the function that forgets the child.
 */
export function reapOnExit(child: ChildProcess): () => void {
  install();
  children.add(child);
  return () => children.delete(child);
}

/**
 * Runs `task` when this process exits, after its children were signalled, unless the returned
 * function was called first. `task` must be synchronous (an `exit` listener cannot wait).
 */
export function atExit(task: () => void): () => void {
  install();
  tasks.add(task);
  return () => tasks.delete(task);
}

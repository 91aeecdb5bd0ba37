import type { ChildProcess } from 'node:child_process';

const children = new Set<ChildProcess>();
let installed = false;

/**
 * Makes `child` go down with this process, whatever ends it (other libraries call process.exit on
 * signals): one `exit` listener for all children. Returns the function that forgets the child.
 */
export function reapOnExit(child: ChildProcess): () => void {
  if (!installed) {
    installed = true;
    process.once('exit', () => {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
    });
  }
  children.add(child);
  return () => children.delete(child);
}

type Cleanup = () => Promise<void>;

const cleanups = new Set<Cleanup>();
let installed = false;

/**
 * Runs `cleanup` when the process is interrupted (SIGINT, SIGTERM, SIGHUP) before it is
 * unregistered, then exits with 130. Returns the unregister function.
 */
export function onInterrupt(cleanup: Cleanup): () => void {
  cleanups.add(cleanup);
  if (!installed) {
    installed = true;
    let stopping = false;
    const handler = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      process.stderr.write(`\n${signal}: stopping everything the testbed started ...\n`);
      void Promise.allSettled([...cleanups].map((c) => c())).then(() => process.exit(130));
    };
    for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(s, handler);
  }
  return () => cleanups.delete(cleanup);
}

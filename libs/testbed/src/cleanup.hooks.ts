type Cleanup = () => Promise<void>;

const cleanups = new Set<Cleanup>();
let installed = false;
let interruptedBy: NodeJS.Signals | undefined;

/**
 * The exit code for a main flow that ends in failure: 130 when an interrupt is what made it fail
 * (the interrupt handler exits with it too, and whichever runs first must agree), else `code`.
 */
export function failureExitCode(code = 1): number {
  return interruptedBy ? 130 : code;
}

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
      interruptedBy = signal;
      process.stderr.write(`\n${signal}: stopping everything the testbed started ...\n`);
      void Promise.allSettled([...cleanups].map((c) => c())).then(() => process.exit(130));
    };
    for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(s, handler);
  }
  return () => cleanups.delete(cleanup);
}

/** What a tool started, stopped last-started first: by {@link StopStack.stopAll}, or on an interrupt. */
export interface StopStack {
  push(stop: Cleanup): void;
  /** Forgets `stop`, pushed before: its caller stops what it stops itself. */
  forget(stop: Cleanup): void;
  /** Stops everything pushed so far, newest first; a stop that fails is reported to `onError` and the rest still run. */
  stopAll(): Promise<void>;
}

/** A {@link StopStack} registered with {@link onInterrupt}. */
export function stopStack(onError: (e: unknown) => void = () => {}): StopStack {
  const stops: Cleanup[] = [];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) await stop().catch(onError);
  };
  onInterrupt(stopAll);
  return {
    push: (stop) => stops.push(stop),
    forget: (stop) => {
      const i = stops.lastIndexOf(stop);
      if (i >= 0) stops.splice(i, 1);
    },
    stopAll,
  };
}

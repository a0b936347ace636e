/**
 * Everything the benchmark starts (servers, worker, pgbench, temp folders) registers how to undo
 * itself here. The actions run in reverse order once: at the end of a run, on an error, on
 * Ctrl-C / SIGTERM, and when the run's time limit passes, so no server or folder is left behind.
 */
export class Cleanup {
  private readonly actions: { label: string; run: () => Promise<void> | void }[] = [];
  private running: Promise<void> | null = null;

  /** Registers an undo action; returns a function that runs it now (and forgets it). */
  add(label: string, run: () => Promise<void> | void): () => Promise<void> {
    const action = { label, run };
    this.actions.push(action);
    return async () => {
      const index = this.actions.indexOf(action);
      if (index < 0) return;
      this.actions.splice(index, 1);
      await action.run();
    };
  }

  /** Runs every action, last registered first; a failing action does not stop the others. */
  runAll(): Promise<void> {
    this.running ??= (async () => {
      while (this.actions.length > 0) {
        const action = this.actions.pop()!;
        if (process.env.BENCH_DEBUG) console.error(`cleanup: ${action.label}`);
        try {
          await action.run();
        } catch (error) {
          console.error(`cleanup: ${action.label} failed: ${(error as Error).message}`);
        }
      }
    })();
    return this.running;
  }
}

/**
 * Ctrl-C, SIGTERM and the time limit clean up, then exit non-zero. A second Ctrl-C exits at
 * once (the servers may then be left running; their folders say where).
 */
export function cleanUpOnInterrupt(cleanup: Cleanup, timeoutMs: number): () => void {
  let interrupted = false;
  const stop = (why: string, code: number) => {
    if (interrupted) {
      console.error("\nsecond interrupt: exiting without cleaning up");
      process.exit(code);
    }
    interrupted = true;
    console.error(`\n${why}: stopping servers and removing temp folders...`);
    void cleanup.runAll().finally(() => process.exit(code));
  };
  const onSigint = () => stop("interrupted", 130);
  const onSigterm = () => stop("terminated", 143);
  // A stray rejection must not end the process before the servers are stopped.
  const onUnhandled = (reason: unknown) => {
    console.error(`\nunexpected error: ${(reason as Error)?.stack ?? String(reason)}`);
    // While cleaning up already (e.g. a client closed under a running query), let it finish.
    if (!interrupted) stop("unexpected error", 1);
  };
  process.on("SIGINT", onSigint);
  process.on("SIGTERM", onSigterm);
  process.on("unhandledRejection", onUnhandled);
  const timer = setTimeout(() => stop(`time limit of ${Math.round(timeoutMs / 60_000)} min reached (BENCH_TIMEOUT_MINUTES)`, 124), timeoutMs);
  timer.unref();
  return () => {
    clearTimeout(timer);
    process.off("SIGINT", onSigint);
    process.off("SIGTERM", onSigterm);
    process.off("unhandledRejection", onUnhandled);
  };
}

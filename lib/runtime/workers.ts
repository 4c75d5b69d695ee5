/**
 * Background jobs that run inside the serving process on the embedded default (and in
 * `npm run worker` otherwise). Each job runs on its own interval and never overlaps itself.
 */
export interface BackgroundJob {
  name: string;
  intervalMs: number;
  run(): Promise<void>;
}

const JOBS: BackgroundJob[] = [];

/** Modules add their periodic work here at import time (see lib/runtime/jobs.ts). */
export function registerJob(job: BackgroundJob): void {
  if (!JOBS.some((j) => j.name === job.name)) JOBS.push(job);
}

export function startBackgroundWorkers(): { stop(): Promise<void> } {
  const timers: NodeJS.Timeout[] = [];
  const running = new Set<Promise<void>>();
  for (const job of JOBS) {
    let busy = false;
    const tick = () => {
      if (busy) return;
      busy = true;
      const run = job
        .run()
        .catch((error: unknown) => console.error(`background job ${job.name} failed:`, error))
        .finally(() => {
          busy = false;
          running.delete(run);
        });
      running.add(run);
    };
    timers.push(setInterval(tick, job.intervalMs));
    setTimeout(tick, 1000).unref();
  }
  return {
    stop: async () => {
      for (const timer of timers) clearInterval(timer);
      await Promise.allSettled([...running]);
    },
  };
}

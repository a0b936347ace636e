import type { Task, TaskList } from "graphile-worker";
import type { z } from "zod";
import { createLogger } from "@/lib/log/logger";
import { copyPartitionJob } from "./copy-partition";
import { copyTablesJob } from "./copy-tables";
import type { JobContext } from "./define-job";
import { pruneCatalog } from "./prune-catalog";
import { verifyTableJob } from "./verify-table";

/** Every job a worker can run. A job missing here is neither run nor queueable (see add-job.ts). */
export const jobs = [pruneCatalog, copyPartitionJob, verifyTableJob, copyTablesJob] as const;

export type Job = (typeof jobs)[number];
export type JobName = Job["name"];
/** What may be queued for job `Name`: its payload schema's input (the handler gets the parsed output). */
export type JobPayload<Name extends JobName> = z.input<Extract<Job, { name: Name }>["payload"]>;

export function jobNamed<Name extends JobName>(name: Name): Extract<Job, { name: Name }> {
  const job = jobs.find((j) => j.name === name);
  if (!job) throw new Error(`no job named ${JSON.stringify(name)} in workers/jobs/registry.ts`);
  return job as Extract<Job, { name: Name }>;
}

/** graphile-worker's task list: every job, its payload parsed before the handler sees it. */
export function taskList(base: Omit<JobContext, "logger" | "helpers">): TaskList {
  return Object.fromEntries(
    jobs.map((job): [string, Task] => [
      job.name,
      async (rawPayload, helpers) => {
        // Payloads are unknown until parsed: a job queued by an older version must fail clearly.
        const payload = job.payload.parse(rawPayload ?? {});
        await (job.handler as (payload: unknown, context: JobContext) => Promise<void>)(payload, {
          ...base,
          helpers,
          logger: createLogger(`job:${job.name}`),
        });
      },
    ]),
  );
}

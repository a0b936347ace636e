import type { TaskSpec } from "graphile-worker";
import { type JobName, jobNamed, type JobPayload } from "./registry";

/** How a job is queued (graphile-worker's TaskSpec). */
export type JobOptions = Pick<TaskSpec, "queueName" | "jobKey" | "maxAttempts" | "priority" | "runAt">;

/**
 * Queues job `name`. The payload is checked against that job's zod schema twice: by the compiler
 * (JobPayload), and parsed before it is queued, so a wrong payload fails where it is made, not in
 * whichever worker later takes the job.
 */
export type AddJob = <Name extends JobName>(name: Name, payload: JobPayload<Name>, options?: JobOptions) => Promise<void>;

/** The queue's own, untyped addJob (graphile-worker's WorkerUtils.addJob). */
export type QueueAddJob = (name: string, payload: unknown, options?: JobOptions) => Promise<unknown>;

export function typedAddJob(queue: QueueAddJob): AddJob {
  return async (name, payload, options) => {
    await queue(name, jobNamed(name).payload.parse(payload), options);
  };
}

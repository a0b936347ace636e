import { describe, expect, it } from "vitest";
import { typedAddJob } from "./add-job";

describe("typedAddJob", () => {
  const queued: unknown[][] = [];
  const addJob = typedAddJob(async (...args) => void queued.push(args));
  const id = "5f0c8a52-8a7e-4d8e-9d0b-0a4c1b2e3f40";

  it("parses the payload with the job's schema before queueing it", async () => {
    await addJob("copy-partition", { partitionIds: [id], generation: 2 }, { queueName: "copy:m:g2:0" });
    expect(queued).toEqual([["copy-partition", { partitionIds: [id], generation: 2 }, { queueName: "copy:m:g2:0" }]]);
  });

  it("refuses a payload its schema rejects, and queues nothing", async () => {
    queued.length = 0;
    // Compiles (an ID is a string) but is not a UUID: caught where the job is made.
    await expect(addJob("copy-partition", { partitionIds: ["not a uuid"], generation: 1 })).rejects.toThrow();
    expect(queued).toEqual([]);
  });
});

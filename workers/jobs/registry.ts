import type { JobDefinition } from "./define-job";
import { copyPartitionJob } from "./copy-partition";
import { pruneCatalog } from "./prune-catalog";

/** Every job a worker can run, by name. */
export const jobs: JobDefinition[] = [pruneCatalog, copyPartitionJob];

import { apiSection, errorResponses, jsonResponse } from "@/lib/web/api/openapi/helpers";

const schemas = {
  WorkerStatus: {
    type: "object",
    required: ["id", "host", "pid", "startedAt", "lastSeenAt", "online"],
    properties: {
      id: { type: "string" },
      host: { type: "string" },
      pid: { type: "integer" },
      startedAt: { type: "string", format: "date-time" },
      lastSeenAt: { type: "string", format: "date-time" },
      online: { type: "boolean", description: "Heartbeat seen within the last 15 s and not stopped." },
    },
  },
};

export const workersApi = apiSection("workers", "Worker processes that run setup, copies and replication.", schemas, {
  "/workers": {
    get: {
      summary: "List workers",
      operationId: "listWorkers",
      responses: {
        "200": jsonResponse("Known workers, newest first, and how many are online.", {
          type: "object",
          required: ["online", "workers"],
          properties: { online: { type: "integer" }, workers: { type: "array", items: { $ref: "#/components/schemas/WorkerStatus" } } },
        }),
        ...errorResponses(),
      },
    },
  },
});

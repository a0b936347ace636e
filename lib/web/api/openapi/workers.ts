import { type ApiSection, errorResponses, jsonResponse } from "@/lib/web/api/openapi/helpers";

export const workersApi: ApiSection = {
  tag: { name: "workers", description: "Worker processes that run setup, copies and replication." },
  schemas: {
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
  },
  paths: {
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
  },
};

import { apiSection, errorResponses, jsonResponse, pathParam } from "@/lib/web/api/openapi/helpers";

const nullableNumber = { anyOf: [{ type: "number" }, { type: "null" }] };

const schemas = {
  LagHistory: {
    type: "object",
    required: ["range", "current", "points"],
    properties: {
      range: { type: "string", enum: ["1h", "24h", "7d"] },
      current: {
        type: "object",
        properties: { lagBytes: nullableNumber, lagSeconds: nullableNumber, retainedBytes: nullableNumber, measuredAt: { anyOf: [{ type: "string", format: "date-time" }, { type: "null" }] } },
      },
      points: {
        type: "array",
        description: "Oldest first, at most 360; each the worst of its time bucket.",
        items: {
          type: "object",
          required: ["at", "lagBytes"],
          properties: { at: { type: "string", format: "date-time" }, lagBytes: { type: "number" }, lagSeconds: nullableNumber, retainedBytes: nullableNumber },
        },
      },
    },
  },
};

export const lagApi = apiSection("lag", "Replication lag measured every 5 s for every mirror with a slot (running, paused or failed), kept 7 days.", schemas, {
  "/mirrors/{name}/lag": {
    get: {
      summary: "Lag history of a mirror",
      operationId: "mirrorLagHistory",
      parameters: [
        pathParam("name", "The mirror's name."),
        { name: "range", in: "query", required: false, description: "Default: 1h.", schema: { type: "string", enum: ["1h", "24h", "7d"] } },
      ],
      responses: { "200": jsonResponse("Lag over the range.", { $ref: "#/components/schemas/LagHistory" }), ...errorResponses(400, 404) },
    },
  },
});

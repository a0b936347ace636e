import { z } from "zod";
import { alertSettingsSchema } from "@/lib/alerts/settings";
import { apiSection, errorResponses, jsonBody, jsonResponse, ref } from "@/lib/web/api/openapi/helpers";

const { $schema: _dialect, ...settings } = z.toJSONSchema(alertSettingsSchema, { io: "input", unrepresentable: "any" });

const schemas = {
  AlertSettings: { ...settings, description: "An empty webhookUrl turns alerts off; a threshold left out turns that alert off." },
};

const description =
  "Webhook alerts: mirror_failed, lag_high, wal_retained_high, slot_inactive and resolved, POSTed as JSON with a Slack-compatible `text`, " +
  "the mirror and the cause; at most one per kind per mirror per 15 minutes; each one sent is in the mirror's Logs tab.";

export const alertsApi = apiSection("alerts", description, schemas, {
  "/alerts": {
    get: {
      summary: "Alert settings",
      operationId: "getAlertSettings",
      responses: { "200": jsonResponse("The webhook and thresholds.", ref("AlertSettings")), ...errorResponses() },
    },
    put: {
      summary: "Replace the alert settings",
      operationId: "putAlertSettings",
      requestBody: jsonBody(ref("AlertSettings")),
      responses: { "200": jsonResponse("The settings as saved.", ref("AlertSettings")), ...errorResponses(400) },
    },
  },
  "/alerts/test": {
    post: {
      summary: "Send a test alert",
      operationId: "sendTestAlert",
      requestBody: jsonBody({ type: "object", properties: { webhookUrl: { type: "string", description: "Default: the saved webhook." } } }, undefined, false),
      responses: {
        "200": jsonResponse("Delivered.", { type: "object", required: ["delivered", "attempts"], properties: { delivered: { type: "boolean" }, attempts: { type: "integer" } } }),
        ...errorResponses(400, 502),
      },
    },
  },
});

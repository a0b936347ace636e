/** Building blocks of the OpenAPI document: types and small helpers shared by every section. */

export type JsonSchema = Record<string, unknown>;

/** One operation: method and path are the keys of ApiSection.paths. */
export interface ApiOperation {
  summary: string;
  description?: string;
  operationId: string;
  parameters?: JsonSchema[];
  requestBody?: JsonSchema;
  responses: Record<string, JsonSchema>;
}

export type HttpMethod = "get" | "post" | "put" | "patch" | "delete";

export interface ApiSection {
  tag: { name: string; description: string };
  /** Paths relative to /api/v1, e.g. "/peers/{name}". */
  paths: Record<string, Partial<Record<HttpMethod, ApiOperation>>>;
  /** Named schemas, referenced with ref("Name"). Names must be unique across sections. */
  schemas: Record<string, JsonSchema>;
}

/** One section: the tag its operations are listed under, its named schemas and its paths. */
export function apiSection(name: string, description: string, schemas: ApiSection["schemas"], paths: ApiSection["paths"]): ApiSection {
  return { tag: { name, description }, schemas, paths };
}

/** `{ "$ref": "#/components/schemas/<name>" }`. */
export function ref(name: string): JsonSchema {
  return { $ref: `#/components/schemas/${name}` };
}

/** A JSON request body. */
export function jsonBody(schema: JsonSchema, description?: string, required = true): JsonSchema {
  return { required, ...(description ? { description } : {}), content: { "application/json": { schema } } };
}

/** A JSON response. */
export function jsonResponse(description: string, schema: JsonSchema): JsonSchema {
  return { description, content: { "application/json": { schema } } };
}

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: "Invalid input: `error.fields` has a message per field.",
  401: "Not signed in: send `Authorization: Bearer <password>`.",
  404: "Not found.",
  409: "Conflicts with what exists (e.g. the name is taken, or the object is in use).",
  422: "Well-formed, but the server it describes cannot be used (e.g. cannot connect); `error.fields` names the field at fault.",
  500: "Unexpected failure; details are in pgferry's log, never in the answer.",
  502: "The peer's server answered with an error.",
  504: "The peer's server did not answer in time.",
};

/** Error responses for the given statuses (401 and 500 are added to every operation). */
export function errorResponses(...statuses: number[]): Record<string, JsonSchema> {
  const all = [...new Set([...statuses, 401, 500])].sort();
  return Object.fromEntries(all.map((status) => [String(status), jsonResponse(ERROR_DESCRIPTIONS[status] ?? "Error.", ref("Error"))]));
}

/** A path parameter. */
export function pathParam(name: string, description: string, schema: JsonSchema = { type: "string" }): JsonSchema {
  return { name, in: "path", required: true, description, schema };
}

export const ERROR_SCHEMA: JsonSchema = {
  type: "object",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["code", "message"],
      properties: {
        code: { type: "string", description: 'Stable, machine-readable, e.g. "peer_not_found".' },
        message: { type: "string", description: "Safe to show to a person; says what to do where possible." },
        fields: {
          type: "object",
          additionalProperties: { type: "string" },
          description: "Message per input field (dotted path), for forms.",
        },
      },
    },
  },
};

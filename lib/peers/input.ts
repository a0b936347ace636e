import { z } from "zod";
import { fieldErrors } from "@/lib/errors/field-errors";
import { UserFacingError } from "@/lib/errors/user-facing-error";
import type { PeerConnection } from "@/lib/pg/connection";

/**
 * The one schema for peer details, used by the create/edit form (in the browser) and by the
 * server (which always parses). Messages are written for the person filling in the form.
 * No Node-only imports here: this file is bundled for the browser.
 */

export const PEER_NAME_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;

export const TLS_MODES = ["disable", "prefer", "require", "verify-ca", "verify-full"] as const;

/** Default: 5432, PostgreSQL's standard port. */
export const DEFAULT_PORT = 5432;
/**
 * Default: "require" — always encrypted. "prefer" would fall back to plain text whenever the server
 * (or whoever answers in its place) says it has no TLS.
 */
export const DEFAULT_TLS_MODE = "require" as const;

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;

/** Forms send "" for an untouched field; treat it as "not given" so defaults apply. */
const emptyToUndefined = (value: unknown) => (value === "" || value === null ? undefined : value);

export const peerNameSchema = z
  .string({ error: "Name is required." })
  .regex(PEER_NAME_PATTERN, {
    error:
      "Use only lowercase letters, digits and underscores, starting with a letter or underscore, at most 63 characters (for example prod_orders).",
  });

/**
 * A database or role name as PostgreSQL takes it: at most 63 bytes (longer names are silently
 * truncated by the server, so they would name something else) and no control characters.
 */
function identifierField(label: string) {
  return z
    .string({ error: `${label} is required.` })
    .min(1, { error: `${label} is required.` })
    .refine((value) => new TextEncoder().encode(value).length <= 63, { error: `${label} must be at most 63 bytes long.` })
    .refine((value) => !/[\u0000-\u001f\u007f]/.test(value), { error: `${label} must not contain control characters.` });
}

const connectionShape = {
  host: z.string({ error: "Host is required." }).trim().min(1, { error: "Host is required." }),
  port: z.preprocess(
    // Forms send text: "5433" becomes 5433; "" means "not given" so the default applies.
    (value) => {
      if (value === "" || value === null) return undefined;
      return typeof value === "string" ? Number(value.trim()) : value;
    },
    z
      .number({ error: "Port must be a number between 1 and 65535." })
      .int({ error: "Port must be a whole number between 1 and 65535." })
      .min(1, { error: "Port must be between 1 and 65535." })
      .max(65535, { error: "Port must be between 1 and 65535." })
      .default(DEFAULT_PORT),
  ),
  database: identifierField("Database"),
  user: identifierField("User"),
  tlsMode: z.preprocess(
    emptyToUndefined,
    z
      .enum(TLS_MODES, { error: "TLS mode must be one of disable, prefer, require, verify-ca or verify-full." })
      .default(DEFAULT_TLS_MODE),
  ),
  caCert: z.preprocess(
    // The CA certificate is not secret, so the edit form shows it: emptied means "none" (null).
    (value) => (typeof value === "string" && value.trim() === "" ? null : value),
    z
      .string({ error: "The CA certificate must be text in PEM format." })
      .regex(PEM_CERTIFICATE, {
        error: "The CA certificate must be in PEM format: -----BEGIN CERTIFICATE----- … -----END CERTIFICATE-----.",
      })
      .nullish()
      .transform((value) => value ?? null),
  ),
  /**
   * Answer a server that asks for the password in clear text on a connection without TLS.
   * Default: false — anyone on the network path could read it.
   */
  allowCleartextPassword: z.preprocess(
    // HTML forms send "on" / "true" / "false"; JSON sends booleans.
    (value) => (value === "" || value === null ? undefined : value === "on" || value === "true" ? true : value === "false" ? false : value),
    z.boolean({ error: "Allow clear-text password must be true or false." }).default(false),
  ),
};

/** On create the password is taken as given; an empty password is allowed (servers using trust). */
const createPassword = z
  .string({ error: "Password must be text." })
  .max(1024, { error: "Password is too long (at most 1024 characters)." })
  .default("");

/** On edit an empty (or absent) password means "keep the stored one": it parses to undefined. */
const updatePassword = z.preprocess(
  emptyToUndefined,
  z.string({ error: "Password must be text." }).max(1024, { error: "Password is too long (at most 1024 characters)." }).optional(),
);

/**
 * verify-ca checks the server certificate against a CA the user provides (against every public CA
 * it would prove nothing without the host name check); verify-full may use the system's CAs.
 */
function requireCaForVerifyCa(value: { tlsMode: string; caCert: string | null }, ctx: z.RefinementCtx) {
  if (value.tlsMode === "verify-ca" && !value.caCert) {
    ctx.addIssue({
      code: "custom",
      path: ["caCert"],
      message:
        "verify-ca needs the CA certificate (PEM) that signed the server's certificate. Paste it here, or choose verify-full to check against this machine's trusted CAs.",
    });
  }
}

/** Connection details without a name: what `POST /peers/validate` checks. */
export const peerConnectionSchema = z
  .object({ ...connectionShape, password: createPassword })
  .superRefine(requireCaForVerifyCa);

/** A new peer, from the create form or `POST /peers`. */
export const peerCreateSchema = z
  .object({ name: peerNameSchema, ...connectionShape, password: createPassword })
  .superRefine(requireCaForVerifyCa);

/**
 * An edited peer, from the edit form (all fields) or `PATCH /peers/{name}` (any subset).
 * `password` is undefined when the stored one is kept (passwords are never sent to the browser,
 * so the edit form's password field starts empty). `caCert` "" or null removes the certificate;
 * an absent field keeps what is stored. The verify-ca/CA rule can only be checked
 * once merged with the stored peer: use mergePeerUpdate.
 */
export const peerUpdateSchema = z
  .object({
    name: peerNameSchema,
    ...connectionShape,
    password: updatePassword,
  })
  .partial();

export type PeerConnectionInput = z.output<typeof peerConnectionSchema>;
export type PeerCreateInput = z.output<typeof peerCreateSchema>;
export type PeerUpdateInput = z.output<typeof peerUpdateSchema>;

/**
 * Applies an edit to the stored peer (with its decrypted password) and re-checks the whole result,
 * so that e.g. switching to verify-ca without a stored CA certificate is refused. Throws a ZodError.
 */
export function mergePeerUpdate(stored: PeerCreateInput, update: PeerUpdateInput): PeerCreateInput {
  const defined = Object.fromEntries(Object.entries(update).filter(([, value]) => value !== undefined));
  return peerCreateSchema.parse({ ...stored, ...defined });
}

/** The connection part of parsed peer details, as connectPeer takes it. */
export function toPeerConnection(input: PeerConnectionInput): PeerConnection {
  return {
    host: input.host,
    port: input.port,
    database: input.database,
    user: input.user,
    password: input.password,
    tlsMode: input.tlsMode,
    caCert: input.caCert,
    allowCleartextPassword: input.allowCleartextPassword,
  };
}

/** A ZodError from these schemas as the UserFacingError the API answers with (400, message per field). */
export function invalidPeerDetails(error: z.ZodError): UserFacingError {
  const fields = fieldErrors(error);
  const first = Object.values(fields)[0] ?? "Check the peer details.";
  return new UserFacingError(first, "peer_invalid", fields, 400);
}

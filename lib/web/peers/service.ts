import { randomUUID } from "node:crypto";
import { z } from "zod";
import { type Prisma, type PrismaClient } from "@/lib/catalog/generated/client";
import { encryptPeerPassword, peerConnection } from "@/lib/catalog/peers";
import { UserFacingError } from "@/lib/errors/user-facing-error";
import {
  invalidPeerDetails,
  mergePeerUpdate,
  type PeerCreateInput,
  peerConnectionSchema,
  peerCreateSchema,
  peerUpdateSchema,
  toPeerConnection,
} from "@/lib/peers/input";
import { sameDatabaseWarning } from "@/lib/web/peers/same-database";
import { type PeerValidation, type PeerWarning, validatePeer } from "@/lib/web/peers/validate";
import { PEER_VIEW_SELECT, type PeerView, storedValidation, toPeerView } from "@/lib/web/peers/view";

/**
 * Peers as the web app and the API see them: catalog rows plus validation against the real server.
 * Every function takes the catalog's Prisma client (db() in the app, a test catalog in tests) and
 * answers with PeerViews, which never hold a password or its ciphertext. Failures the user can fix
 * are UserFacingErrors: 400 invalid details (message per field), 404 unknown peer, 409 name taken or
 * peer in use, 422 cannot connect (message at the field at fault).
 */

/** A saved (created or updated) peer, with the validation that ran before saving. */
export interface SavedPeer {
  peer: PeerView;
  validation: PeerValidation;
}

export async function listPeers(catalog: PrismaClient): Promise<PeerView[]> {
  const rows = await catalog.peer.findMany({ select: PEER_VIEW_SELECT, orderBy: { name: "asc" } });
  return rows.map(toPeerView);
}

/** Throws 404 peer_not_found. */
export async function getPeer(catalog: PrismaClient, name: string): Promise<PeerView> {
  const row = await catalog.peer.findUnique({ where: { name }, select: PEER_VIEW_SELECT });
  if (!row) throw peerNotFound(name);
  return toPeerView(row);
}

/**
 * Parses, validates against the server and saves a new peer. Saving is refused only when pgferry
 * cannot connect at all (the connection error, at its field); a peer that connects but fails other
 * checks (e.g. wal_level=replica: fine as a target) is saved with its warnings. Not idempotent:
 * a second call with the same name is refused with 409.
 */
export async function createPeer(catalog: PrismaClient, input: unknown): Promise<SavedPeer> {
  const details = parseOr400(peerCreateSchema, input);
  await assertNameFree(catalog, details.name);
  const validation = await validateOrRefuse(details);
  const warning = await sameDatabaseWarning(catalog, details);
  // The id is chosen here so that the password can be encrypted bound to it before the row exists.
  const id = randomUUID();
  try {
    const row = await catalog.peer.create({
      data: { id, ...savedColumns(details, validation), passwordEncrypted: encryptPeerPassword(id, details.password) },
      select: PEER_VIEW_SELECT,
    });
    return { peer: toPeerView(row), validation: withWarning(validation, warning) };
  } catch (error) {
    // Another request took the name while this one was validating.
    if (isUniqueViolation(error)) throw nameTaken(details.name);
    throw error;
  }
}

/**
 * Applies an edit (any subset of the fields; an empty or absent password keeps the stored one),
 * validates the result against the server and saves it, refused like createPeer when pgferry
 * cannot connect. Renaming is allowed (mirrors refer to peers by id). An edit that would send the
 * stored password elsewhere is refused with 400 at `password` (see mergedDetails).
 */
export async function updatePeer(catalog: PrismaClient, name: string, input: unknown): Promise<SavedPeer> {
  const { row, details, passwordChanged } = await mergedDetails(catalog, name, input);
  if (details.name !== row.name) await assertNameFree(catalog, details.name);
  const validation = await validateOrRefuse(details);
  const warning = await sameDatabaseWarning(catalog, details, row.id);
  try {
    const updated = await catalog.peer.update({
      where: { id: row.id },
      data: {
        ...savedColumns(details, validation),
        ...(passwordChanged ? { passwordEncrypted: encryptPeerPassword(row.id, details.password) } : {}),
      },
      select: PEER_VIEW_SELECT,
    });
    return { peer: toPeerView(updated), validation: withWarning(validation, warning) };
  } catch (error) {
    if (isUniqueViolation(error)) throw nameTaken(details.name);
    throw error;
  }
}

/**
 * Validates a saved peer, with an unsaved edit applied when `input` has one (the edit form's
 * Validate button: an empty password there means the stored one, refused with 400 at `password`
 * when the edit points elsewhere, as in updatePeer). Without an edit, a result that
 * got as far as connecting is recorded on the peer (server version, last validation); a failed
 * connection is only answered, so the stored facts stay those of the last time it worked. Never
 * refuses for what the server says: that is in the result.
 */
export async function revalidatePeer(catalog: PrismaClient, name: string, input: unknown = {}): Promise<PeerValidation> {
  const { row, details, changed } = await mergedDetails(catalog, name, input ?? {});
  const validation = await validatePeer(toPeerConnection(details));
  if (!changed && validation.ok) {
    await catalog.peer.update({ where: { id: row.id }, data: validationColumns(validation) });
  }
  return withWarning(validation, await sameDatabaseWarning(catalog, details, row.id));
}

/**
 * Runs the checks on connection details that are not saved (`POST /peers/validate`); with the
 * catalog, also warns when a saved peer already points at the same database.
 */
export async function validateUnsaved(input: unknown, catalog?: PrismaClient): Promise<PeerValidation> {
  const details = parseOr400(peerConnectionSchema, input);
  const validation = await validatePeer(toPeerConnection(details));
  return catalog ? withWarning(validation, await sameDatabaseWarning(catalog, details)) : validation;
}

/**
 * The validation as answered, with a catalog warning added. Warnings are not stored with the
 * peer's last validation: they are about other peers, which may change or go.
 */
function withWarning(validation: PeerValidation, warning: PeerWarning | null): PeerValidation {
  return warning ? { ...validation, warnings: [...(validation.warnings ?? []), warning] } : validation;
}

/**
 * Deletes a peer that no mirror uses; refused with 409 peer_in_use naming the mirrors otherwise.
 * Only the catalog row goes: nothing on the peer's server is touched.
 */
export async function deletePeer(catalog: PrismaClient, name: string): Promise<void> {
  const peer = await getPeer(catalog, name);
  if (peer.mirrors.length) throw peerInUse(peer.name, peer.mirrors);
  try {
    await catalog.peer.delete({ where: { id: peer.id } });
  } catch (error) {
    // A mirror was created in the meantime: the catalog's foreign key refuses the delete.
    if (isForeignKeyViolation(error)) throw peerInUse(peer.name, (await getPeer(catalog, name)).mirrors);
    throw error;
  }
}

/** The columns a create or an edit writes, the password aside (it is encrypted bound to the row's id). */
function savedColumns(details: PeerCreateInput, validation: PeerValidation) {
  const { name, host, port, database, user, tlsMode, caCert, allowCleartextPassword } = details;
  return { name, host, port, database, user, tlsMode, caCert, allowCleartextPassword, ...validationColumns(validation) };
}

/**
 * The stored peer with an edit applied; `changed` tells whether the edit changes anything.
 * A stored password goes only to the host, port, user and database it was saved for, and only
 * as the peer was when it was saved: an edit that changes any of those, or starts allowing clear
 * text, without giving the password again is refused (400 at `password`), so whoever can edit
 * peers cannot make pgferry hand a stored password to a server of their choosing.
 */
async function mergedDetails(catalog: PrismaClient, name: string, input: unknown) {
  const row = await catalog.peer.findUnique({ where: { name } });
  if (!row) throw peerNotFound(name);
  const update = parseOr400(peerUpdateSchema, input);
  const stored: PeerCreateInput = {
    name: row.name,
    ...peerConnection(row),
    caCert: row.caCert ?? null,
    allowCleartextPassword: row.allowCleartextPassword,
  };
  let details: PeerCreateInput;
  try {
    details = mergePeerUpdate(stored, update);
  } catch (error) {
    if (error instanceof z.ZodError) throw invalidPeerDetails(error);
    throw error;
  }
  if (update.password === undefined && stored.password !== "") assertSameDestination(stored, details);
  const passwordChanged = update.password !== undefined && update.password !== stored.password;
  const changed = (Object.keys(details) as (keyof PeerCreateInput)[]).some((key) => details[key] !== stored[key]);
  return { row, details, changed, passwordChanged };
}

/** The fields a stored password is bound to (see mergedDetails). */
const PASSWORD_BOUND_TO = ["host", "port", "user", "database"] as const;

function assertSameDestination(stored: PeerCreateInput, details: PeerCreateInput): void {
  const moved = PASSWORD_BOUND_TO.filter((field) => details[field] !== stored[field]);
  const toClearText = details.allowCleartextPassword && !stored.allowCleartextPassword;
  if (!moved.length && !toClearText) return;
  const what = moved.length ? `changing the ${joinWords(moved)}` : "allowing it in clear text";
  const message = `Enter the password again: a stored password is only sent to the server it was saved for, and ${what} needs it.`;
  throw new UserFacingError(message, "peer_password_required", { password: message }, 400);
}

function joinWords(words: readonly string[]): string {
  return words.length === 1 ? words[0] : `${words.slice(0, -1).join(", ")} and ${words[words.length - 1]}`;
}

/** validatePeer, turning "cannot connect at all" into the connection error (422, at its field). */
async function validateOrRefuse(details: PeerCreateInput): Promise<PeerValidation> {
  const validation = await validatePeer(toPeerConnection(details));
  if (!validation.ok) {
    const error = validation.error ?? { code: "peer_connect_failed", message: "Could not connect to the peer." };
    throw new UserFacingError(error.message, error.code, error.fields, 422);
  }
  return validation;
}

function validationColumns(validation: PeerValidation) {
  return {
    serverVersion: validation.serverVersion ?? null,
    lastValidation: storedValidation(validation) as unknown as Prisma.InputJsonValue,
    validatedAt: new Date(),
  };
}

function parseOr400<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input ?? {});
  if (!parsed.success) throw invalidPeerDetails(parsed.error);
  return parsed.data;
}

async function assertNameFree(catalog: PrismaClient, name: string): Promise<void> {
  const existing = await catalog.peer.findUnique({ where: { name }, select: { id: true } });
  if (existing) throw nameTaken(name);
}

function peerNotFound(name: string): UserFacingError {
  return new UserFacingError(`There is no peer named "${name}".`, "peer_not_found", undefined, 404);
}

function nameTaken(name: string): UserFacingError {
  const message = `A peer named ${name} already exists.`;
  return new UserFacingError(message, "peer_name_taken", { name: message }, 409);
}

function peerInUse(name: string, mirrors: string[]): UserFacingError {
  const list = mirrors.map((m) => `"${m}"`).join(", ");
  const which = mirrors.length === 1 ? `mirror ${list} uses it` : `mirrors ${list} use it`;
  return new UserFacingError(
    `Peer "${name}" cannot be deleted: ${which}. Delete ${mirrors.length === 1 ? "that mirror" : "those mirrors"} first.`,
    "peer_in_use",
    undefined,
    409,
  );
}

function prismaCode(error: unknown): string | undefined {
  return typeof error === "object" && error !== null && "code" in error ? String((error as { code: unknown }).code) : undefined;
}

const isUniqueViolation = (error: unknown) => prismaCode(error) === "P2002";
const isForeignKeyViolation = (error: unknown) => prismaCode(error) === "P2003";

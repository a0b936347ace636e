import { randomBytes } from "node:crypto";
import type { PrismaClient } from "@/lib/catalog/generated/client";
import { UserFacingError } from "@/lib/errors/user-facing-error";
import { quoteIdent, quoteLiteral } from "@/lib/pg/quote";
import { keyFromSetting } from "@/lib/secrets/keys";
import { useKeyring as installKeyring } from "@/lib/secrets/secrets";
import { createTestCatalog, type TestCatalog } from "@/tests/support/catalog";
import { bearerHeaders, setTestApiPassword } from "@/tests/support/api-auth";
import { adminQuery, clusterInfo, createDatabase } from "@/tests/support/databases";
import { DISTINCTIVE_PASSWORD } from "@/tests/integration/peers/helpers";

/**
 * A fresh catalog (DATABASE_URL points at it, so db() and the route handlers use it), a fresh
 * encryption key, and a source database owned by a role whose password is DISTINCTIVE_PASSWORD:
 * every peer these tests save signs in as that role, so any leak of the password is detectable.
 */
export interface PeersApiWorld {
  catalog: TestCatalog;
  prisma: PrismaClient;
  role: string;
  sourceDatabase: string;
  targetDatabase: string;
  /** Valid create-peer input for the source database, signing in as `role`. */
  sourceInput(name: string): Record<string, unknown>;
  targetInput(name: string): Record<string, unknown>;
  close(): Promise<void>;
}

export async function setUpWorld(): Promise<PeersApiWorld> {
  const catalog = await createTestCatalog();
  process.env.DATABASE_URL = catalog.url;
  installKeyring({ current: keyFromSetting(randomBytes(32).toString("hex")), previous: [] });

  const role = `ferry_api_${randomBytes(4).toString("hex")}`;
  const password = quoteLiteral(DISTINCTIVE_PASSWORD);
  // REPLICATION so that validation passes every check; not a superuser, like a real migration user.
  await adminQuery("source", `CREATE ROLE ${quoteIdent(role)} LOGIN REPLICATION PASSWORD ${password}`);
  await adminQuery("target", `CREATE ROLE ${quoteIdent(role)} LOGIN PASSWORD ${password}`);
  const sourceDatabase = await createDatabase("source", "peersapi");
  const targetDatabase = await createDatabase("target", "peersapi");
  await adminQuery("source", `ALTER DATABASE ${quoteIdent(sourceDatabase)} OWNER TO ${quoteIdent(role)}`);
  await adminQuery("target", `ALTER DATABASE ${quoteIdent(targetDatabase)} OWNER TO ${quoteIdent(role)}`);

  const input = (cluster: "source" | "target", database: string) => (name: string) => {
    const c = clusterInfo(cluster);
    return { name, host: c.host, port: c.port, database, user: role, password: DISTINCTIVE_PASSWORD, tlsMode: "disable" };
  };
  return {
    catalog,
    prisma: catalog.prisma,
    role,
    sourceDatabase,
    targetDatabase,
    sourceInput: input("source", sourceDatabase),
    targetInput: input("target", targetDatabase),
    close: async () => {
      await catalog.close();
      for (const cluster of ["source", "target"] as const) {
        const database = cluster === "source" ? sourceDatabase : targetDatabase;
        await adminQuery(cluster, `DROP DATABASE IF EXISTS ${quoteIdent(database)} WITH (FORCE)`);
        await adminQuery(cluster, `DROP ROLE IF EXISTS ${quoteIdent(role)}`);
      }
    },
  };
}

/** setUpWorld for tests that call the route handlers: the API password is set first, so their requests can sign in. */
export async function setUpSignedInWorld(): Promise<PeersApiWorld> {
  setTestApiPassword();
  return setUpWorld();
}

/** A route handler as Next.js calls it: a Request, and the `[name]` segment as async params. */
type RouteHandler = (request: Request, context: { params: Promise<{ name: string }> }) => Promise<Response>;

/** Calls a handler with a signed-in request to /api/v1<path>; a string body is sent as it is (e.g. malformed JSON), any other as JSON. */
export function callRoute(handler: RouteHandler | ((request: Request) => Promise<Response>), method: string, path: string, body?: unknown, name = ""): Promise<Response> {
  const request = new Request(`http://pgferry.test/api/v1${path}`, {
    method,
    headers: bearerHeaders(body === undefined ? {} : { "content-type": "application/json" }),
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  return (handler as RouteHandler)(request, { params: Promise.resolve({ name }) });
}

/** The UserFacingError a call rejects with (fails the test when it resolves or throws something else). */
export async function userError(work: Promise<unknown>): Promise<UserFacingError> {
  try {
    await work;
  } catch (error) {
    if (error instanceof UserFacingError) return error;
    throw error;
  }
  throw new Error("expected a UserFacingError");
}

/** Inserts a mirror row directly (the mirrors engineer's code is not needed to prove a peer is in use). */
export async function insertMirror(prisma: PrismaClient, name: string, sourcePeerId: string, targetPeerId: string) {
  return prisma.mirror.create({
    data: {
      name,
      sourcePeerId,
      targetPeerId,
      mode: "cdc",
      status: "running",
      settings: {},
      publicationName: `pgferry_${name}`,
      slotName: `pgferry_${name}`,
    },
  });
}

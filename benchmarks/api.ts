import { randomBytes } from "node:crypto";
import { POST as postMirror } from "@/app/api/v1/mirrors/route";
import { GET as getMirrorRoute } from "@/app/api/v1/mirrors/[name]/route";
import { sleep } from "@/lib/sleep";
import type { Pgferry } from "./pgferry";

/**
 * The user's path into pgferry, in-process: the HTTP API's own route handlers (app/api/v1/mirrors),
 * called with a Request that carries `Authorization: Bearer <password>`, so authentication, zod
 * parsing, createMirror and the response views all run as they do behind `npm start`. What is left
 * out is Next.js's HTTP server (a production build takes minutes on this machine, and its request
 * routing is the same for every mirror, not part of what a load costs).
 *
 * The handlers use the process's catalog client (`db()`, from DATABASE_URL) and check the bearer
 * password against PGFERRY_PASSWORD: both are set here for this process before the first call.
 */
export interface Api {
  /** POST /api/v1/mirrors; throws with the response body unless 201. */
  createMirror(body: unknown): Promise<void>;
  /** GET /api/v1/mirrors/{name}: the mirror's status (and the body, for failures). */
  mirror(name: string): Promise<{ status: string; errorMessage?: string | null; body: unknown }>;
}

export function apiClient(catalogUrl: string): Api {
  const password = randomBytes(24).toString("hex");
  process.env.DATABASE_URL = catalogUrl;
  process.env.PGFERRY_PASSWORD = password;
  const headers = { authorization: `Bearer ${password}`, "content-type": "application/json" };
  const url = (path: string) => `http://127.0.0.1/api/v1${path}`;
  return {
    async createMirror(body) {
      const response = await postMirror(new Request(url("/mirrors"), { method: "POST", headers, body: JSON.stringify(body) }), undefined);
      if (response.status !== 201) throw new Error(`POST /api/v1/mirrors answered ${response.status}: ${await response.text()}`);
    },
    async mirror(name) {
      const response = await getMirrorRoute(new Request(url(`/mirrors/${encodeURIComponent(name)}`), { headers }), { params: Promise.resolve({ name }) });
      const body = (await response.json()) as { status?: string; errorMessage?: string | null };
      if (response.status !== 200 || typeof body.status !== "string") throw new Error(`GET /api/v1/mirrors/${name} answered ${response.status}: ${JSON.stringify(body)}`);
      return { status: body.status, errorMessage: body.errorMessage, body };
    },
  };
}

/**
 * Waits until GET /api/v1/mirrors/{name} says `status`; fails at once when the mirror failed or the
 * worker process died. The catalog's status column is read every 50 ms and the API asked once it
 * shows a change: the GET builds the mirror page's whole view (a dozen catalog queries), and asking
 * it every 100 ms took a good part of a core from the two the load runs on — a cost no other tool's
 * timing carried, and far more often than the console asks (every 2 s).
 */
export async function waitForApiStatus(api: Api, ferry: Pgferry, name: string, status: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const row = await ferry.catalog.mirror.findUnique({ where: { name }, select: { status: true } });
    const workerGone = ferry.worker.exitCode !== null || ferry.worker.signalCode !== null;
    const timedOut = Date.now() > deadline;
    if (row?.status === status || row?.status === "failed" || workerGone || timedOut) {
      const mirror = await api.mirror(name);
      if (mirror.status === status) return;
      if (mirror.status === "failed" || workerGone || timedOut) {
        const why = mirror.status === "failed" ? `failed: ${mirror.errorMessage ?? JSON.stringify(mirror.body)}` : workerGone ? "the worker process exited" : `timed out (status ${mirror.status})`;
        throw new Error(`mirror ${name} did not reach ${status}: ${why}\nworker log:\n${await ferry.workerLogTail()}`);
      }
    }
    await sleep(50);
  }
}

import { createServer } from "node:net";

/**
 * A loopback port that was free a moment ago: `preferred` when it is free, otherwise one the
 * system picks. Another process may take it before the caller listens; callers start a server on
 * it at once (a throwaway PostgreSQL server, the embedded catalog) or use it as a closed port.
 */
export async function freePort(preferred?: number): Promise<number> {
  if (preferred && (await listenAndRelease(preferred).then(() => true, () => false))) return preferred;
  return listenAndRelease(0);
}

function listenAndRelease(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.once("error", reject);
    probe.listen(port, "127.0.0.1", () => {
      const address = probe.address();
      const chosen = typeof address === "object" && address ? address.port : port;
      probe.close(() => resolve(chosen));
    });
  });
}

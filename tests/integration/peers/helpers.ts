import { createServer, type Server, type Socket } from "node:net";
import { expect } from "vitest";

/** A password nobody would write by accident: if it shows up in any output, it leaked. */
export const DISTINCTIVE_PASSWORD = "Zq9-ferry-DISTINCTIVE-pw-7731!";

/** Asserts that no part of an error or result (message, fields, JSON, stack) contains the secret. */
export function expectNoSecret(value: unknown, secret = DISTINCTIVE_PASSWORD) {
  const texts: string[] = [JSON.stringify(value) ?? ""];
  if (value instanceof Error) {
    texts.push(value.message, String(value), value.stack ?? "");
    texts.push(JSON.stringify({ ...value, message: value.message }));
  }
  if (!secret) return;
  for (const text of texts) expect(text).not.toContain(secret);
}

/** A TCP server that accepts connections and never says a word: connecting to it can only time out. */
export async function silentServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Runs `fn`, expecting it to reject, and returns the error. */
export async function rejection(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

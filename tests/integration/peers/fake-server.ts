import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { TLSSocket } from "node:tls";

/**
 * A tiny fake PostgreSQL server on 127.0.0.1 that speaks just enough of the protocol to see what a
 * client sends it: it answers the SSLRequest as told, reads the startup packet, asks for the
 * password the way it is told (in clear text, or SCRAM), records the answer and then refuses the
 * sign-in. Each connection's record is in `sessions`.
 */
export interface FakeSession {
  /** "S" or "N": the answer the client got to an SSLRequest; null when it sent none. */
  sslRequest: "S" | "N" | null;
  tls: boolean;
  /** The startup packet's parameters (user, database, application_name, …). */
  startup: Record<string, string> | null;
  /** What came back to AuthenticationCleartextPassword, when anything did. */
  password: string | null;
  /** The mechanism chosen in the SASLInitialResponse, when asked for SCRAM. */
  saslMechanism: string | null;
}

export interface FakeServerOptions {
  /**
   * The answer to an SSLRequest: "N" (no TLS), "S" (TLS with `tls`), "S-broken" ("S", then bytes
   * that are not TLS), or "E" (an error byte, as no PostgreSQL since 7.x answers). Default: "N".
   */
  ssl?: "N" | "S" | "S-broken" | "E";
  /** Key and certificate for "S". */
  tls?: { key: string; cert: string };
  /** How to ask for the password. Default: "cleartext". */
  auth?: "cleartext" | "scram";
  /** Instead of speaking PostgreSQL, answer the startup packet with these bytes and close. */
  replyInstead?: string;
}

export interface FakeServer {
  port: number;
  sessions: FakeSession[];
  close(): Promise<void>;
}

const SSL_REQUEST = 80877103;

export async function startFakeServer(options: FakeServerOptions = {}): Promise<FakeServer> {
  const sessions: FakeSession[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    socket.on("close", () => sockets.delete(socket));
    const session: FakeSession = { sslRequest: null, tls: false, startup: null, password: null, saslMechanism: null };
    sessions.push(session);
    serve(socket, session, options).catch(() => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  return {
    port: typeof address === "object" && address ? address.port : 0,
    sessions,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Reads whole messages from a socket: `untyped` for the startup phase, typed afterwards. */
class Reader {
  private buffer = Buffer.alloc(0);
  private waiting: (() => void) | null = null;
  private ended = false;

  constructor(private socket: Socket) {
    this.attach(socket);
  }

  attach(socket: Socket) {
    this.socket = socket;
    socket.on("data", (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.waiting?.();
    });
    socket.on("close", () => {
      this.ended = true;
      this.waiting?.();
    });
  }

  /** Stops reading the plain socket (before TLS takes it over). */
  detach() {
    this.socket.removeAllListeners("data");
  }

  private async bytes(n: number): Promise<Buffer> {
    while (this.buffer.length < n) {
      if (this.ended) throw new Error("closed");
      await new Promise<void>((resolve) => (this.waiting = resolve));
      this.waiting = null;
    }
    const out = this.buffer.subarray(0, n);
    this.buffer = this.buffer.subarray(n);
    return out;
  }

  async untyped(): Promise<Buffer> {
    const length = (await this.bytes(4)).readInt32BE(0);
    return this.bytes(length - 4);
  }

  async typed(): Promise<{ type: string; body: Buffer }> {
    const type = (await this.bytes(1)).toString("latin1");
    const length = (await this.bytes(4)).readInt32BE(0);
    return { type, body: await this.bytes(length - 4) };
  }
}

async function serve(plain: Socket, session: FakeSession, options: FakeServerOptions): Promise<void> {
  let socket: Socket = plain;
  let reader = new Reader(plain);
  let first = await reader.untyped();
  if (first.readInt32BE(0) === SSL_REQUEST) {
    const answer = options.ssl ?? "N";
    if (answer === "E") {
      plain.end("E");
      return;
    }
    if (answer === "S-broken") {
      session.sslRequest = "S";
      plain.write("S");
      plain.end("this is not a TLS server hello\n");
      return;
    }
    session.sslRequest = answer;
    plain.write(answer);
    if (answer === "S") {
      if (!options.tls) throw new Error("ssl: S needs tls");
      reader.detach();
      const secure = new TLSSocket(plain, { isServer: true, key: options.tls.key, cert: options.tls.cert });
      secure.on("error", () => {});
      session.tls = true;
      socket = secure;
      reader = new Reader(secure as unknown as Socket);
    }
    first = await reader.untyped();
  }
  session.startup = startupParameters(first);
  if (options.replyInstead !== undefined) {
    socket.end(options.replyInstead);
    return;
  }
  if ((options.auth ?? "cleartext") === "cleartext") {
    socket.write(message("R", int32(3)));
    const reply = await reader.typed();
    if (reply.type === "p") session.password = reply.body.subarray(0, reply.body.indexOf(0)).toString("utf8");
  } else {
    const mechanisms = session.tls ? ["SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"] : ["SCRAM-SHA-256"];
    socket.write(message("R", Buffer.concat([int32(10), ...mechanisms.map((m) => Buffer.from(`${m}\0`)), Buffer.from("\0")])));
    const reply = await reader.typed();
    if (reply.type === "p") session.saslMechanism = reply.body.subarray(0, reply.body.indexOf(0)).toString("utf8");
  }
  socket.end(errorResponse("28P01", "password authentication failed (fake server)"));
}

function startupParameters(packet: Buffer): Record<string, string> {
  const parts = packet.subarray(4).toString("utf8").split("\0");
  const parameters: Record<string, string> = {};
  for (let i = 0; i + 1 < parts.length && parts[i] !== ""; i += 2) parameters[parts[i]] = parts[i + 1];
  return parameters;
}

function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n, 0);
  return b;
}

function message(type: string, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from(type, "latin1"), int32(body.length + 4), body]);
}

function errorResponse(code: string, text: string): Buffer {
  return message("E", Buffer.from(`SFATAL\0VFATAL\0C${code}\0M${text}\0\0`, "utf8"));
}

/** A throwaway self-signed certificate for "localhost" (EC: fast to make), for ssl: "S". */
export function selfSignedCertificate(): { key: string; cert: string } {
  const dir = mkdtempSync(path.join(tmpdir(), "pgferry-fake-tls-"));
  try {
    execFileSync(
      "openssl",
      ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "key.pem", "-out", "cert.pem", "-days", "2", "-subj", "/CN=localhost"],
      { cwd: dir, stdio: "pipe" },
    );
    return { key: readFileSync(path.join(dir, "key.pem"), "utf8"), cert: readFileSync(path.join(dir, "cert.pem"), "utf8") };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** A webhook on 127.0.0.1 that records every JSON body POSTed to it; `failNext` answers 500 that many times first. */
export interface WebhookReceiver {
  url: string;
  received: Record<string, unknown>[];
  failNext: number;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const receiver: WebhookReceiver = { url: "", received: [], failNext: 0, close: async () => {} };
  const server: Server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => {
      if (receiver.failNext > 0) {
        receiver.failNext--;
        response.writeHead(500).end();
        return;
      }
      receiver.received.push(JSON.parse(body));
      response.writeHead(200, { "content-type": "text/plain" }).end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  receiver.close = () => new Promise((resolve) => server.close(() => resolve()));
  return receiver;
}

// The tests' own HTTP(S) servers (webhooks, apps to verify, fake APIs): on
// 127.0.0.1 at a port the OS picks, and closed with their open connections,
// so a keep-alive client cannot hold `after` up.
import type { Server } from "node:http";
import type { Server as HttpsServer } from "node:https";
import type { AddressInfo } from "node:net";

/** Starts listening on 127.0.0.1; resolves with the port. */
export async function listen(server: Server | HttpsServer): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

export async function close(server: Server | HttpsServer): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

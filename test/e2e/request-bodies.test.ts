import type { Socket } from "node:net";
import { describe, expect, inject, it } from "vitest";
import { rawRequest } from "./support/raw-http";

const server = inject("sower");

/** A request head with no body after it (or a chunked one, written by the test). */
function head(method: string, path: string, headers: Record<string, string>): string {
  const lines = Object.entries({ Host: `${server.host}:${server.port}`, ...headers }).map(
    ([name, value]) => `${name}: ${value}`,
  );
  return `${method} ${path} HTTP/1.1\r\n${lines.join("\r\n")}\r\n\r\n`;
}

const NO_BODY_FOLLOWS = { "Content-Type": "application/json", "Content-Length": "99999999999" };

describe("request bodies the server will not read", () => {
  it("refuses a REST call declaring a body beyond any legal request at once, with 413, though no body follows", async () => {
    for (const path of [`/apps/${server.appId}/events`, `/apps/${server.appId}/batch_events`]) {
      const answer = await rawRequest(server, head("POST", path, NO_BODY_FOLLOWS));
      expect(answer.status).toBe(413);
      expect(answer.text).toMatch(/^Request body is larger than \d+ bytes: Content-Length declares 99999999999\n$/);
    }
  });

  it("answers other requests declaring a body that never comes at once too", async () => {
    const unknownApp = await rawRequest(server, head("POST", "/apps/no-such-app/events", NO_BODY_FOLLOWS));
    expect(unknownApp).toMatchObject({ status: 404, text: "Unknown app id 'no-such-app'\n" });
    const health = await rawRequest(server, head("GET", "/health", NO_BODY_FOLLOWS));
    expect(health).toMatchObject({ status: 200, text: '{"status":"ok","apps":1}' });
    const nowhere = await rawRequest(server, head("POST", "/nowhere", NO_BODY_FOLLOWS));
    expect(nowhere).toMatchObject({ status: 404, text: "Not found: /nowhere\n" });
  });

  it("cuts a chunked body off once it passes the limit, rather than reading it whole", async () => {
    const chunk = Buffer.alloc(64 * 1024, "x");
    const endless = 64 * 1024 * 1024;
    // Paced, as a real upload arrives: a loopback flood piles megabytes into wrangler dev's own
    // proxies, whose forwarding fetch then fails with a 500 of theirs when the Worker stops reading.
    const writeChunks = async (socket: Socket, answered: () => boolean) => {
      for (let sent = 0; sent < endless && !answered() && !socket.destroyed; sent += chunk.length) {
        socket.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    const answer = await rawRequest(
      server,
      head("POST", `/apps/${server.appId}/events`, {
        "Content-Type": "application/json",
        "Transfer-Encoding": "chunked",
      }),
      writeChunks,
      30_000,
    );
    expect(answer.status).toBe(413);
    const limit = Number(/^Request body is larger than (\d+) bytes; reading stopped there\n$/.exec(answer.text)?.[1]);
    expect(limit).toBeGreaterThan(0);
    // The answer came as the body passed the limit, not after the 64 MB the client meant to send.
    expect(answer.bodyBytesSent).toBeGreaterThan(limit);
    expect(answer.bodyBytesSent).toBeLessThan(limit + 16 * chunk.length);
  });
});

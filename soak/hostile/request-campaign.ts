import type { Socket } from "node:net";
import { rawRequest } from "../../test/e2e/support/raw-http.ts";
import type { ServerInfo } from "../../test/e2e/support/server.ts";
import { Random } from "../random.ts";
import { type HostileRequest, nextRequest, REQUEST_CATEGORIES, type RequestCategory } from "./requests.ts";

export interface RequestCampaignOptions {
  /** Requests in flight at once. */
  lanes: number;
  /** Stops at whichever comes first. */
  requests: number;
  durationMs: number;
  seed: number;
  /** Pause between chunks of a streamed body: a proxy in front (wrangler dev) needs them paced. */
  chunkPauseMs: number;
}

export interface RequestCampaignReport {
  requests: number;
  byCategory: Partial<Record<RequestCategory, number>>;
  /** Answers by status. */
  statuses: Record<string, number>;
  /** Answers of 500 and above from Sower, with samples. Must be 0. */
  serverErrors: number;
  /** 501s the runtime's HTTP parser gave methods it does not know (`get`), before any Worker code ran. */
  runtimeUnknownMethod: number;
  serverErrorSamples: string[];
  /** Requests the server closed without an HTTP answer, by category: only mangled framing may get none. */
  unanswered: Partial<Record<RequestCategory, number>>;
}

const ANSWER_TIMEOUT_MS = 15_000;
const CHUNK = Buffer.alloc(64 * 1024, "x");
/**
 * A mutated request may be neither HTTP nor answerable: the server may just
 * close it. A streamed body the server refuses mid-upload may lose its answer
 * on the way: the server closes a connection with unread bytes, TCP resets
 * it, and the reset discards the 413 still unread in the client's buffer.
 * (A 500 there would still show as an error line.)
 */
const MAY_GO_UNANSWERED: ReadonlySet<RequestCategory> = new Set(["fuzz", "streamed-body"]);
/** workerd's own answer to a request method its HTTP parser does not know. */
const RUNTIME_UNKNOWN_METHOD = "ERROR: Unrecognized request method.";

/**
 * Hostile HTTP requests from several connections at once, each written
 * byte for byte on its own TCP socket. A 5xx from any of them is a fault,
 * and so is a well-formed request left unanswered.
 */
export async function runRequestCampaign(
  server: ServerInfo,
  options: RequestCampaignOptions,
): Promise<RequestCampaignReport> {
  const report: RequestCampaignReport = {
    requests: 0,
    byCategory: {},
    statuses: {},
    serverErrors: 0,
    runtimeUnknownMethod: 0,
    serverErrorSamples: [],
    unanswered: {},
  };
  const stopAt = Date.now() + options.durationMs;
  const lane = async (random: Random) => {
    while (report.requests < options.requests && Date.now() < stopAt) {
      report.requests++;
      const request = nextRequest(server, random);
      report.byCategory[request.category] = (report.byCategory[request.category] ?? 0) + 1;
      await send(server, request, options.chunkPauseMs).then(
        ({ status, text }) => {
          report.statuses[status] = (report.statuses[status] ?? 0) + 1;
          if (status < 500) return;
          if (status === 501 && text === RUNTIME_UNKNOWN_METHOD) {
            report.runtimeUnknownMethod++;
            return;
          }
          report.serverErrors++;
          if (report.serverErrorSamples.length < 5) {
            report.serverErrorSamples.push(`${request.category}: ${status} ${text.slice(0, 200)}`);
          }
        },
        () => {
          report.unanswered[request.category] = (report.unanswered[request.category] ?? 0) + 1;
        },
      );
    }
  };
  await Promise.all(Array.from({ length: options.lanes }, (_, index) => lane(new Random(options.seed + index))));
  return report;
}

/** Well-formed requests left unanswered: the mangled kinds may legitimately be closed without a word. */
export function unansweredFaults(report: RequestCampaignReport): number {
  return REQUEST_CATEGORIES.reduce(
    (sum, category) => (MAY_GO_UNANSWERED.has(category) ? sum : sum + (report.unanswered[category] ?? 0)),
    0,
  );
}

function send(server: ServerInfo, request: HostileRequest, chunkPauseMs: number) {
  // Once the request is written the client half-closes, so a declared body that never comes ends
  // there and the server must answer rather than wait for it.
  const writeBody = async (socket: Socket, answered: () => boolean) => {
    if (request.chunkedBytes === undefined) {
      socket.end(request.body ?? "");
      return;
    }
    for (let sent = 0; sent < request.chunkedBytes && !answered() && !socket.destroyed; sent += CHUNK.length) {
      socket.write(`${CHUNK.length.toString(16)}\r\n`);
      socket.write(CHUNK);
      socket.write("\r\n");
      await new Promise((resolve) => setTimeout(resolve, chunkPauseMs));
    }
    if (!answered() && !socket.destroyed) socket.end("0\r\n\r\n");
  };
  return rawRequest(server, request.head, writeBody, ANSWER_TIMEOUT_MS);
}

import type { AuditRequest } from "../audit/entry";
import type { App } from "../config/app";
import type { Result } from "../lib/result";
import type { RestError } from "../protocol/rest";
import type { AppBackend } from "../sharded/backend";

/** One validated REST call, as every endpoint receives it. */
export interface RestCall {
  readonly app: App;
  readonly query: URLSearchParams;
  /** The raw body, already size-capped and covered by the signature. */
  readonly body: Uint8Array;
  /** Decoded path parameters (a channel name, a user id), in path order. */
  readonly params: readonly string[];
  /**
   * The app's Beacon, asked for only once the call is valid; for a sharded
   * app, its hubs and shards, which answer together as one Beacon.
   */
  beacon(): AppBackend;
  /**
   * Who made the call, for the audit log: an endpoint that changes something
   * adds its details and hands it to the object that handles the call.
   */
  readonly audit?: AuditRequest;
  /** The deployment's audit database, read by `GET /audit`; absent where the caller is not the REST API. */
  readonly auditLog?: D1Database;
}

/** What an endpoint answers: the JSON body of a 200 (or a ready Response, for other formats), or a refusal. */
export type RestReply = Result<unknown, RestError>;

export type Endpoint = (call: RestCall) => Promise<RestReply> | RestReply;

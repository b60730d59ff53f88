/*
 * What the dashboard's debug console and webhooks view exchange with the
 * app's objects. A console is a WebSocket the Worker opens on an object by
 * `fetch` to CONSOLE_PATH; the webhooks view is plain RPC. Nothing here ever
 * holds event data, an auth signature, a secret or a webhook URL's path.
 */

/**
 * The path of a console upgrade. A Pusher socket's upgrade keeps its own
 * path, `/app/{key}`, so no client can ask for a console by sending a header.
 */
export const CONSOLE_PATH = "/console";

/** One line of the debug console. `at` is Unix milliseconds. */
export type ConsoleEvent =
  | { kind: "connected"; at: number; socket: string; origin: string | null }
  | { kind: "closed"; at: number; socket: string; code: number | null }
  | { kind: "subscribed" | "unsubscribed"; at: number; socket: string; channel: string }
  | { kind: "api_event"; at: number; event: string; channels: readonly string[]; bytes: number }
  | { kind: "client_event"; at: number; socket: string; channel: string; event: string; bytes: number }
  | { kind: "member_added" | "member_removed"; at: number; channel: string; user: string }
  | { kind: "webhook"; at: number; endpoint: string; events: readonly string[]; status: string; attempt: number }
  | { kind: "refused" | "error"; at: number; message: string; socket?: string; channel?: string };

/** What a console socket receives: the events since the last frame, and how many were dropped before them. */
export interface ConsoleFrame {
  events: ConsoleEvent[];
  dropped: number;
}

/**
 * One request to a webhook endpoint, kept in a short record of recent
 * attempts (the "delivered" and "failed" of the webhooks view). The endpoint
 * is its host only: paths and query strings of webhook URLs often carry tokens.
 */
export interface WebhookAttempt {
  at: number;
  endpoint: string;
  /** The event types the request carried, each once, in order. */
  types: string[];
  events: number;
  /** The endpoint's attempt number since its last success, this one included. */
  attempt: number;
  ok: boolean;
  /** `HTTP 500`, `network error`, `no answer within 5000 ms`; empty after a 2xx. */
  error: string;
  /** The hub's channel when a sharded app's hub made the request; empty for a Beacon's own. */
  source: string;
}

/** One endpoint's queue in one object's outbox. */
export interface EndpointBacklog {
  endpoint: string;
  pending: number;
  /** Attempts since its last success (the one in flight included); 0 when it is not failing. */
  attempts: number;
  /** When the next attempt is due (Unix ms), or null when nothing is queued. */
  nextAttemptAt: number | null;
  /** The hub's channel for a sharded app's hub; empty for a Beacon. */
  source: string;
}

/** One object's part of the webhooks view. */
export interface WebhookOutboxView {
  backlogs: EndpointBacklog[];
  /** Newest first. */
  recent: WebhookAttempt[];
  /** Held `channel_vacated` / `member_removed` webhooks still in their grace period. */
  held: number;
}

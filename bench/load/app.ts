/**
 * The app both targets serve in the bench. The secret only exists inside the
 * bench run on loopback; it signs the bench's own requests.
 */
export const BENCH_APP = {
  id: "bench-app",
  key: "bench-key",
  secret: "bench-secret-0123456789abcdef",
} as const;

/** The bench app's history setting: only scenario 9's channels, named bench-history-…, keep any. */
export const BENCH_HISTORY = { channels: ["bench-history-*"], max_events: 200, max_seconds: 3600 } as const;

/**
 * Where the bench opens a debug console (`--console`): straight to the app's
 * Beacon, as the dashboard's Worker route does, in the bench's entry only.
 */
export const BENCH_CONSOLE_PATH = "/bench/console";

/** Whose key and secret sign a request or a channel subscription. */
export interface Signer {
  key: string;
  secret: string;
}

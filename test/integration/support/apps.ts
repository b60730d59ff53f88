/**
 * The apps the integration runtime is configured with (vitest.config.ts sets
 * them as the APPS binding). The first is the default app every other test
 * file uses; the rest exist to test isolation and per-app limits.
 */
export interface TestApp {
  readonly id: string;
  readonly key: string;
  readonly secret: string;
  readonly [option: string]: unknown;
}

/**
 * Webhook endpoints of the default app. Only channels ending in `-wh`
 * produce webhooks, so other tests' channels never queue any.
 */
const INTEGRATION_WEBHOOKS = [
  {
    url: "http://webhooks.test/all",
    event_types: ["channel_occupied", "channel_vacated", "member_added", "member_removed", "client_event"],
    filter: { channel_name_ends_with: "-wh" },
  },
  {
    // Apart, so their timing never mixes into the exact event lists the other endpoint is checked for.
    url: "http://webhooks.test/counts",
    event_types: ["subscription_count", "cache_miss"],
    filter: { channel_name_ends_with: "-wh" },
  },
  {
    url: "http://webhooks.test/presence-vacated",
    event_types: ["channel_vacated"],
    filter: { channel_name_starts_with: "presence-", channel_name_ends_with: "-wh" },
    headers: { Authorization: "Bearer integration-token" },
  },
];

export const DEFAULT_APP: TestApp = {
  id: "sower",
  key: "sower-key",
  secret: "integration-secret-0123456789",
  enable_client_messages: true,
  webhooks: INTEGRATION_WEBHOOKS,
};

/** The app history.test.ts stores history on, apart from the default app. */
export const HISTORY_APP: TestApp = {
  id: "history",
  key: "history-key",
  secret: "history-secret-0123456789",
  enable_client_messages: true,
  // Only channels named history-... keep history, so the file's other channels store nothing.
  history: {
    channels: ["history-*", "private-history-*", "presence-history-*", "private-encrypted-history-*"],
    max_events: 100,
    client_events: true,
  },
};

/** History kept briefly and for few events, client events not stored: for retention and its limits. */
export const SHORT_HISTORY_APP: TestApp = {
  id: "short-history",
  key: "short-history-key",
  secret: "short-history-secret-0123456789",
  enable_client_messages: true,
  history: { channels: ["*"], max_events: 3, max_seconds: 1 },
};

export const APP_A: TestApp = {
  id: "tenant-a",
  key: "tenant-a-key",
  secret: "tenant-a-secret-0123456789",
  enable_client_messages: true,
};
export const APP_B: TestApp = {
  id: "tenant-b",
  key: "tenant-b-key",
  secret: "tenant-b-secret-0123456789",
  enable_client_messages: true,
  max_client_events_per_sec: 2,
  max_event_payload_in_kb: 1,
};
export const DISABLED_APP: TestApp = {
  id: "disabled",
  key: "disabled-key",
  secret: "disabled-secret-0123456789",
  enabled: false,
};
export const ORIGINS_APP: TestApp = {
  id: "origins",
  key: "origins-key",
  secret: "origins-secret-0123456789",
  allowed_origins: ["https://app.example.com", "https://*.example.org"],
};
export const CAPPED_APP: TestApp = {
  id: "capped",
  key: "capped-key",
  secret: "capped-secret-0123456789",
  max_connections: 2,
};
export const LIMITED_APP: TestApp = {
  id: "limited",
  key: "limited-key",
  secret: "limited-secret-0123456789",
  max_backend_events_per_sec: 3,
  max_read_requests_per_sec: 2,
};
/** The same limits as LIMITED_APP, for Sower's other metered calls, so each test starts on a fresh window. */
export const LIMITED_OPS_APP: TestApp = {
  id: "limited-ops",
  key: "limited-ops-key",
  secret: "limited-ops-secret-0123456789",
  max_backend_events_per_sec: 3,
  max_read_requests_per_sec: 2,
};

/** Its figures per minute are checked exactly (stats-series.test.ts), so no other test uses it. */
export const SERIES_APP: TestApp = {
  id: "series",
  key: "series-key",
  secret: "series-secret-0123456789",
};

export const METERED_APP: TestApp = {
  id: "metered",
  key: "metered-key",
  secret: "metered-secret-0123456789",
  enable_client_messages: true,
};

/** Its Beacon is rewritten to the state a release before schema versions left, then woken (schema-upgrade.test.ts). */
export const UPGRADED_APP: TestApp = {
  id: "upgraded",
  key: "upgraded-key",
  secret: "upgraded-secret-0123456789",
  enable_client_messages: true,
  webhooks: INTEGRATION_WEBHOOKS,
};

/** Every per-app limit set low, to see each one enforced with this app's value, on sockets and in the HTTP API. */
export const TIGHT_APP: TestApp = {
  id: "tight",
  key: "tight-key",
  secret: "tight-secret-0123456789",
  enable_client_messages: true,
  max_presence_members_per_channel: 1,
  max_presence_member_size_in_kb: 0.1,
  max_channel_name_length: 20,
  max_event_channels_at_once: 2,
  max_event_name_length: 10,
  max_event_payload_in_kb: 0.5,
  max_event_batch_size: 2,
};

/** Its id and key are names JavaScript objects inherit, to show they are only ever names here. */
export const PROTOTYPE_NAMED_APP: TestApp = {
  id: "__proto__",
  key: "constructor",
  secret: "prototype-named-secret-0123456789",
  enable_client_messages: true,
};

/** The pairs of ROTATING_APP besides its primary key and secret. */
export const NEXT_PAIR = { key: "rotating-key-next", secret: "rotating-next-secret-0123456789" } as const;
export const RETIRED_PAIR = { key: "rotating-key-old", secret: "rotating-old-secret-0123456789" } as const;

/** An app in the middle of a key rotation: a second current pair and a retired one. */
export const ROTATING_APP: TestApp = {
  id: "rotating",
  key: "rotating-key",
  secret: "rotating-secret-0123456789",
  keys: [NEXT_PAIR, { ...RETIRED_PAIR, retired: true }],
};

/** Its second pair has the longest key allowed, which a socket keeps in its attachment. */
export const LONGEST_KEY_PAIR = { key: "k".repeat(100), secret: "longest-key-secret-0123456789" } as const;
export const LONGEST_KEY_APP: TestApp = {
  id: "longest-key",
  key: "longest-key",
  secret: "longest-key-primary-secret-0123456789",
  keys: [LONGEST_KEY_PAIR],
};

/** Limits raised above Pusher's: client events larger than the 64 KiB frame cap, and a faster client event rate. */
export const ROOMY_APP: TestApp = {
  id: "roomy",
  key: "roomy-key",
  secret: "roomy-secret-0123456789",
  enable_client_messages: true,
  max_event_payload_in_kb: 100,
  max_client_events_per_sec: 50,
};

/** Placed with a region hint and a jurisdiction, which the local runtime does not have. */
export const PLACED_APP: TestApp = {
  id: "placed",
  key: "placed-key",
  secret: "placed-secret-0123456789",
  shards: 1,
  regions: ["weur"],
  jurisdiction: "eu",
};

/** Four shards, one per region, so a test puts each socket where it wants it (support/shards.ts). */
export const SHARDED_APP: TestApp = {
  id: "sharded",
  key: "sharded-key",
  secret: "sharded-secret-0123456789",
  enable_client_messages: true,
  shards: 4,
  regions: ["weur", "enam", "apac", "oc"],
  max_presence_members_per_channel: 3,
  webhooks: INTEGRATION_WEBHOOKS,
};

/** Four shards, one per region, keeping history (history-shards.test.ts): client events too. */
export const SHARDED_HISTORY_APP: TestApp = {
  id: "sharded-history",
  key: "sharded-history-key",
  secret: "sharded-history-secret-0123456789",
  enable_client_messages: true,
  shards: 4,
  regions: ["weur", "enam", "apac", "oc"],
  history: { channels: ["history-*", "private-history-*"], max_events: 100, client_events: true },
};

/** Two shards and an app-wide max_connections of 2. */
export const SHARDED_CAPPED_APP: TestApp = {
  id: "sharded-capped",
  key: "sharded-capped-key",
  secret: "sharded-capped-secret-0123456789",
  shards: 2,
  regions: ["weur", "oc"],
  max_connections: 2,
};

/** Its calls are what audit.test.ts reads back from the audit log; like the default app, sharded in the sharded tier. */
export const AUDITED_APP: TestApp = {
  id: "audited",
  key: "audited-key",
  secret: "audited-secret-0123456789",
};

/** Records nothing (`audit` off): audit.test.ts checks that no call of it reaches the log. */
export const UNAUDITED_APP: TestApp = {
  id: "unaudited",
  key: "unaudited-key",
  secret: "unaudited-secret-0123456789",
  audit: false,
};

export const TEST_APPS: readonly TestApp[] = [
  TIGHT_APP,
  ROOMY_APP,
  METERED_APP,
  SERIES_APP,
  DEFAULT_APP,
  APP_A,
  APP_B,
  DISABLED_APP,
  ORIGINS_APP,
  CAPPED_APP,
  LIMITED_APP,
  LIMITED_OPS_APP,
  PROTOTYPE_NAMED_APP,
  UPGRADED_APP,
  ROTATING_APP,
  LONGEST_KEY_APP,
  HISTORY_APP,
  SHORT_HISTORY_APP,
  PLACED_APP,
  SHARDED_APP,
  SHARDED_HISTORY_APP,
  SHARDED_CAPPED_APP,
  AUDITED_APP,
  UNAUDITED_APP,
];

/** The bearer token of GET /metrics in the integration-metrics tier, where it is set. */
export const METRICS_TOKEN = "scrape-token-0123456789abcdef";

/**
 * The shard count the sharded test projects run every test app at, except
 * those that cannot be sharded or test one object as such: LIMITED_APP's and
 * LIMITED_OPS_APP's per-second limits need one object, UPGRADED_APP's Beacon is rewritten as an
 * old release left it, PLACED_APP tests one placed Beacon, and the sharded
 * apps above are sharded in every project.
 */
export const TEST_SHARDS = 4;

const STAY_AS_THEY_ARE: ReadonlySet<TestApp> = new Set([
  LIMITED_APP,
  LIMITED_OPS_APP,
  UPGRADED_APP,
  PLACED_APP,
  SHARDED_APP,
  SHARDED_HISTORY_APP,
  SHARDED_CAPPED_APP,
]);

/** TEST_APPS with every other app spread over TEST_SHARDS shards (vitest.config.ts, the sharded projects). */
export const SHARDED_TEST_APPS: readonly TestApp[] = TEST_APPS.map((app) =>
  STAY_AS_THEY_ARE.has(app) ? app : { ...app, shards: TEST_SHARDS },
);

/** The time a test has to subscribe one socket to a hundred channels: on a sharded app each is a hub request. */
export const HUNDRED_SUBSCRIBES_MS = 20_000;

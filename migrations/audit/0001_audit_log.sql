-- The audit log (docs/audit.md). Each object that records calls is a stream with its own
-- sequence and hash chain; an app's log is every stream recorded under its app id.

-- One row per recorded call. (app_id, stream, seq) is what makes a retried batch idempotent.
CREATE TABLE audit_entries (
  id INTEGER PRIMARY KEY,
  app_id TEXT NOT NULL,
  stream TEXT NOT NULL,
  seq INTEGER NOT NULL,
  time INTEGER NOT NULL,
  endpoint TEXT NOT NULL,
  status INTEGER NOT NULL,
  key TEXT NOT NULL,
  ip TEXT NOT NULL,
  user_agent TEXT NOT NULL,
  details TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL,
  UNIQUE (app_id, stream, seq)
);
CREATE INDEX audit_entries_by_time ON audit_entries (app_id, time);

-- Each stream's newest entry in D1, written with every batch, so a deleted tail shows.
CREATE TABLE audit_heads (
  app_id TEXT NOT NULL,
  stream TEXT NOT NULL,
  seq INTEGER NOT NULL,
  hash TEXT NOT NULL,
  PRIMARY KEY (app_id, stream)
);

-- The last entry retention removed from each stream: where its chain now starts.
CREATE TABLE audit_anchors (
  app_id TEXT NOT NULL,
  stream TEXT NOT NULL,
  seq INTEGER NOT NULL,
  hash TEXT NOT NULL,
  PRIMARY KEY (app_id, stream)
);

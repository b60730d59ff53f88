/**
 * The signed `user_data` of each signed-in socket, kept verbatim in SQLite:
 * user_info and a watchlist of up to 100 ids do not fit the 2,048-byte
 * attachment, and the exact string is what was signed.
 */
export class UserSessions {
  constructor(private readonly sql: SqlStorage) {}

  save(socketId: string, userData: string): void {
    this.sql.exec("INSERT OR REPLACE INTO user_sessions (socket_id, user_data) VALUES (?, ?)", socketId, userData);
  }

  remove(socketId: string): void {
    this.sql.exec("DELETE FROM user_sessions WHERE socket_id = ?", socketId);
  }

  all(): Array<{ socketId: string; userData: string }> {
    return this.sql
      .exec<{ socket_id: string; user_data: string }>("SELECT socket_id, user_data FROM user_sessions")
      .toArray()
      .map((row) => ({ socketId: row.socket_id, userData: row.user_data }));
  }
}

import type { Profile } from "./profile";

export interface Member {
  id: string;
  profile: Profile;
  admin: boolean;
}

/** A poll's counts, as members see them. */
export interface Tally {
  poll: string;
  ephemeral: boolean;
  votes: Record<string, number>;
}

export type RoomConfig = Record<string, string>;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS members (id TEXT PRIMARY KEY, token_hash TEXT NOT NULL UNIQUE, profile TEXT NOT NULL, admin INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS polls (name TEXT PRIMARY KEY, ephemeral INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS votes (poll TEXT NOT NULL, member TEXT NOT NULL, option TEXT NOT NULL, PRIMARY KEY (poll, member));
  CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

type MemberRow = { id: string; profile: string; admin: number };

/** One room's state in its Durable Object's SQLite: members, polls and votes, counters, configuration. */
export class RoomStore {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(SCHEMA);
  }

  addMember(id: string, tokenHash: string, profile: Profile, admin: boolean): void {
    this.sql.exec(
      "INSERT INTO members (id, token_hash, profile, admin) VALUES (?, ?, ?, ?)",
      id,
      tokenHash,
      JSON.stringify(profile),
      admin ? 1 : 0,
    );
  }

  memberByToken(tokenHash: string): Member | undefined {
    const [row] = this.sql
      .exec<MemberRow>("SELECT id, profile, admin FROM members WHERE token_hash = ?", tokenHash)
      .toArray();
    return row && toMember(row);
  }

  member(id: string): Member | undefined {
    const [row] = this.sql.exec<MemberRow>("SELECT id, profile, admin FROM members WHERE id = ?", id).toArray();
    return row && toMember(row);
  }

  setProfile(id: string, profile: Profile): void {
    this.sql.exec("UPDATE members SET profile = ? WHERE id = ?", JSON.stringify(profile), id);
  }

  poll(name: string): { ephemeral: boolean } | undefined {
    const [row] = this.sql.exec<{ ephemeral: number }>("SELECT ephemeral FROM polls WHERE name = ?", name).toArray();
    return row && { ephemeral: row.ephemeral === 1 };
  }

  pollCount(): number {
    return this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM polls").one().n;
  }

  createPoll(name: string, ephemeral: boolean): void {
    this.sql.exec("INSERT INTO polls (name, ephemeral) VALUES (?, ?)", name, ephemeral ? 1 : 0);
  }

  /** Records a member's vote, replacing any earlier one in the same poll. */
  vote(poll: string, member: string, option: string): void {
    this.sql.exec("INSERT OR REPLACE INTO votes (poll, member, option) VALUES (?, ?, ?)", poll, member, option);
  }

  /** The polls a leaving member had votes in that go with them; those votes are deleted. */
  dropEphemeralVotes(member: string): string[] {
    const polls = this.sql
      .exec<{ poll: string }>(
        "DELETE FROM votes WHERE member = ? AND poll IN (SELECT name FROM polls WHERE ephemeral = 1) RETURNING poll",
        member,
      )
      .toArray();
    return polls.map((row) => row.poll);
  }

  tally(poll: string): Tally | undefined {
    const found = this.poll(poll);
    if (found === undefined) return undefined;
    const rows = this.sql
      .exec<{ option: string; n: number }>(
        "SELECT option, count(*) AS n FROM votes WHERE poll = ? GROUP BY option ORDER BY option",
        poll,
      )
      .toArray();
    return { poll, ephemeral: found.ephemeral, votes: Object.fromEntries(rows.map((row) => [row.option, row.n])) };
  }

  tallies(): Tally[] {
    const names = this.sql.exec<{ name: string }>("SELECT name FROM polls ORDER BY name").toArray();
    return names.flatMap((row) => this.tally(row.name) ?? []);
  }

  optionsIn(poll: string): string[] {
    return this.sql
      .exec<{ option: string }>("SELECT DISTINCT option FROM votes WHERE poll = ?", poll)
      .toArray()
      .map((row) => row.option);
  }

  counter(name: string): number | undefined {
    const [row] = this.sql.exec<{ value: number }>("SELECT value FROM counters WHERE name = ?", name).toArray();
    return row?.value;
  }

  setCounter(name: string, value: number): void {
    this.sql.exec("INSERT OR REPLACE INTO counters (name, value) VALUES (?, ?)", name, value);
  }

  config(): RoomConfig | undefined {
    const [row] = this.sql.exec<{ value: string }>("SELECT value FROM settings WHERE name = 'config'").toArray();
    return row && readStrings(row.value);
  }

  setConfig(config: RoomConfig): void {
    this.sql.exec("INSERT OR REPLACE INTO settings (name, value) VALUES ('config', ?)", JSON.stringify(config));
  }
}

function toMember(row: MemberRow): Member {
  return { id: row.id, profile: readStrings(row.profile), admin: row.admin === 1 };
}

/** A stored string map, read back keeping only string values. */
function readStrings(json: string): Record<string, string> {
  const parsed: unknown = JSON.parse(json);
  if (typeof parsed !== "object" || parsed === null) return {};
  return Object.fromEntries(
    Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === "string"),
  );
}

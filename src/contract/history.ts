/**
 * Channel history as the Worker asks for it and the owner of the channel
 * answers it (docs/history.md). Plain data: RPC copies it by structured clone.
 */

/** Where a channel's history stands: the serial of its newest event, in this epoch of its history. */
export interface HistoryPosition {
  readonly epoch: string;
  readonly serial: number;
}

/** One stored event, as the REST endpoint answers it. */
export interface StoredEvent {
  readonly serial: number;
  /** Unix milliseconds when it was published. */
  readonly time: number;
  readonly name: string;
  /** A server event's data string as published; a client event's data as its sender sent it. */
  readonly data: unknown;
  /** The sender of a client event on a presence channel. */
  readonly user_id?: string;
}

export interface HistoryQuery {
  readonly limit: number;
  readonly direction: "backwards" | "forwards";
  /** Unix milliseconds, both inclusive. */
  readonly start?: number;
  readonly end?: number;
  /** Continue after this position (the serial of the last event of the previous page, in its epoch). */
  readonly cursor?: HistoryPosition;
}

export type HistoryPage =
  | { readonly ok: true; readonly position: HistoryPosition; readonly events: StoredEvent[]; readonly more: boolean }
  /** The cursor belongs to an epoch the channel no longer has. */
  | { readonly ok: false; readonly position: HistoryPosition };

/** An event to store, exactly as it is delivered. */
export interface HistoryEntry {
  readonly name: string;
  readonly data: unknown;
  readonly userId?: string;
}

/** What a resuming subscriber missed: every event after its serial, or nothing when that gap is gone. */
export type Missed =
  | { readonly recovered: true; readonly position: HistoryPosition; readonly events: StoredEvent[] }
  | { readonly recovered: false; readonly position: HistoryPosition };

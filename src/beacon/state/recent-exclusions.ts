/** How many of a channel's latest routed events a hub remembers the socket_id of. */
const REMEMBERED = 1000;

/**
 * The socket_id each recent REST event of a hub's history channel left out,
 * by serial, in memory only. A shard that fills a gap from the hub gets the
 * stored events, which do not keep it; with this, the socket the call left
 * out is still left out (docs/history.md, "Sharded apps").
 */
export class RecentExclusions {
  private readonly bySerial = new Map<number, string>();

  remember(serial: number, socketId: string): void {
    this.bySerial.set(serial, socketId);
    // Serials only grow, so the first key is the oldest.
    if (this.bySerial.size > REMEMBERED) {
      for (const oldest of this.bySerial.keys()) {
        this.bySerial.delete(oldest);
        break;
      }
    }
  }

  /** The socket_ids of the serials from `after` + 1 that had one. */
  since(after: number): Array<{ serial: number; socketId: string }> {
    const since: Array<{ serial: number; socketId: string }> = [];
    for (const [serial, socketId] of this.bySerial) if (serial > after) since.push({ serial, socketId });
    return since;
  }
}

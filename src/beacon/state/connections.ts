import { readAttachment } from "./attachment";
import type { Connection } from "./connection";

/** The app's live sockets, by socket id and by the platform's WebSocket. */
export class Connections {
  private readonly byId = new Map<string, Connection>();
  private readonly bySocket = new WeakMap<WebSocket, Connection>();
  private observer: ((open: number) => void) | undefined;

  /** `primaryKey` is the app's, for reading attachments written before sockets kept their key. */
  constructor(private readonly primaryKey: string) {}

  get size(): number {
    return this.byId.size;
  }

  /**
   * Tells `observer` the open count now and after every socket tracked or
   * removed. Set once a wake has rebuilt the sockets, so the rebuild itself
   * is not seen as sockets opening.
   */
  observe(observer: (open: number) => void): void {
    this.observer = observer;
    observer(this.byId.size);
  }

  track(connection: Connection): void {
    this.byId.set(connection.id, connection);
    this.bySocket.set(connection.ws, connection);
    this.observer?.(this.byId.size);
  }

  remove(connection: Connection): void {
    this.byId.delete(connection.id);
    this.observer?.(this.byId.size);
  }

  get(socketId: string): Connection | undefined {
    return this.byId.get(socketId);
  }

  values(): IterableIterator<Connection> {
    return this.byId.values();
  }

  /**
   * Only sockets still tracked: one removed by terminate_connections may
   * deliver a last frame or two before its close arrives, and must not be
   * served (or re-subscribed) meanwhile.
   */
  connectionFor(ws: WebSocket): Connection | undefined {
    const known = this.bySocket.get(ws);
    if (known !== undefined) return this.byId.get(known.id) === known ? known : undefined;
    const attachment = readAttachment(ws, this.primaryKey);
    const connection = attachment && this.byId.get(attachment.socketId);
    if (connection !== undefined) this.bySocket.set(ws, connection);
    return connection;
  }
}

/** One socket being admitted, and what the counts sent meanwhile said of it. */
export interface Admission {
  outcome: "pending" | "admitted" | "refused";
  /** The other sockets being admitted that this one's request counted. */
  counted: readonly Admission[];
  /** A report sent meanwhile left it out (it counts only open sockets). */
  leftOut: boolean;
  /** A request the connection count accepted counted it. */
  inAcceptedCount: boolean;
}

/**
 * A shard's sockets being admitted by its app's connection count (a hub,
 * CONNECTIONS_HUB in contract/objects.ts), for an app-wide `max_connections`.
 * The count keeps, per shard, the latest number the shard sent: with a
 * request to admit a socket, its open sockets and every socket being
 * admitted (so concurrent admissions cannot pass the limit together); with
 * a report, its open sockets only, so a report never leaves a refused
 * socket counted, which would refuse sockets the app has room for for as
 * long as sockets keep being refused. When a count sent meanwhile turns out
 * wrong (it counted a socket then refused, or left out one then admitted),
 * `end` says so and the shard reports again.
 */
export class Admissions {
  private readonly inFlight = new Set<Admission>();

  begin(): Admission {
    const admission: Admission = { outcome: "pending", counted: [], leftOut: false, inAcceptedCount: false };
    this.inFlight.add(admission);
    return admission;
  }

  /** The number to send with `admission`'s request. */
  request(admission: Admission, open: number): number {
    admission.counted = [...this.inFlight].filter((other) => other !== admission);
    return open + this.inFlight.size;
  }

  /** The number to send with a report. */
  report(open: number): number {
    for (const admission of this.inFlight) admission.leftOut = true;
    return open;
  }

  /** `admission` was answered (or failed, as refused): true when the count must hear from this shard again. */
  end(admission: Admission, admitted: boolean): boolean {
    this.inFlight.delete(admission);
    admission.outcome = admitted ? "admitted" : "refused";
    if (!admitted) return admission.inAcceptedCount;
    for (const other of admission.counted) other.inAcceptedCount = true;
    return admission.leftOut || admission.counted.some((other) => other.outcome === "refused");
  }
}

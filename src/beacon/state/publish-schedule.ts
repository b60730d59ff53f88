/**
 * When an object's figures go to the stats registry: at most once per
 * interval, so the registry takes at most one write per object per
 * interval however busy the object is; and a change never waits longer
 * than one interval, so figures that stop changing (an app going quiet)
 * are published even though no further work comes to carry them. That
 * trailing publish is owed to the object's alarm; the due time lives in
 * memory only, since an object that is evicted publishes again on the
 * first event that wakes it (its first change is always published at once).
 */
export class PublishSchedule {
  private publishedAt: number | undefined;
  private owedAt: number | undefined;

  constructor(
    private readonly intervalMs: number,
    /** Told when a publish became owed, with its due time, so the alarm rings for it. */
    private readonly owe: (dueAt: number) => void,
  ) {}

  /** Something the registry shows changed: true to publish now, else a publish is owed within the interval. */
  changed(now: number): boolean {
    if (this.publishedAt === undefined || now - this.publishedAt >= this.intervalMs) {
      this.publishedAt = now;
      this.owedAt = undefined;
      return true;
    }
    if (this.owedAt === undefined) {
      this.owedAt = this.publishedAt + this.intervalMs;
      this.owe(this.owedAt);
    }
    return false;
  }

  /** For the alarm: true when the owed publish is due, which it then takes. */
  takeDue(now: number): boolean {
    if (this.owedAt === undefined || this.owedAt > now) return false;
    this.publishedAt = now;
    this.owedAt = undefined;
    return true;
  }

  /** A publish that did not arrive is owed again, one interval on. */
  failed(now: number): void {
    this.publishedAt = now;
    this.owedAt = now + this.intervalMs;
    this.owe(this.owedAt);
  }

  /** The owed publish's due time, for the alarm clock. */
  nextDueAt(): number | undefined {
    return this.owedAt;
  }
}

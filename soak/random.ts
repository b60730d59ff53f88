/**
 * A seeded generator (mulberry32), so a run that finds something can be
 * repeated exactly with `--seed`.
 */
export class Random {
  private state: number;
  readonly seed: number;

  constructor(seed: number) {
    this.seed = seed;
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error("pick from an empty list");
    return item;
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  bytes(length: number): Buffer {
    const bytes = Buffer.alloc(length);
    for (let index = 0; index < length; index++) bytes[index] = this.int(0, 255);
    return bytes;
  }

  /** Characters from the whole of Unicode, lone surrogates and control characters included. */
  text(length: number): string {
    let text = "";
    for (let index = 0; index < length; index++) {
      const roll = this.next();
      const code = roll < 0.6 ? this.int(0x20, 0x7e) : roll < 0.8 ? this.int(0, 0x1f) : this.int(0x80, 0xffff);
      text += String.fromCharCode(code);
    }
    return text;
  }
}

import { describe, expect, it } from "vitest";
import { Admissions } from "../../src/beacon/state/admissions";

describe("a shard's admissions to its app's connection count", () => {
  it("asks with its open sockets and every socket being admitted, and reports its open sockets only", () => {
    const admissions = new Admissions();
    const first = admissions.begin();
    expect(admissions.request(first, 3)).toBe(4);
    const second = admissions.begin();
    expect(admissions.request(second, 3)).toBe(5);
    expect(admissions.report(3)).toBe(3);
  });

  it("needs nothing more once a lone socket is admitted or refused with no report meanwhile", () => {
    const admissions = new Admissions();
    const admitted = admissions.begin();
    admissions.request(admitted, 1);
    expect(admissions.end(admitted, true)).toBe(false);
    const refused = admissions.begin();
    admissions.request(refused, 2);
    expect(admissions.end(refused, false)).toBe(false);
  });

  it("reports again when a socket a report left out is admitted, and not when it is refused", () => {
    const admissions = new Admissions();
    const admitted = admissions.begin();
    const refused = admissions.begin();
    admissions.request(admitted, 0);
    admissions.request(refused, 0);
    expect(admissions.report(0)).toBe(0);
    // The report was right about the refused one, and one short of the admitted one.
    expect(admissions.end(refused, false)).toBe(false);
    expect(admissions.end(admitted, true)).toBe(true);
  });

  it("reports again when an accepted request counted a socket that is then refused, in either order", () => {
    const admissions = new Admissions();
    const refusedLater = admissions.begin();
    admissions.request(refusedLater, 0);
    const accepted = admissions.begin();
    admissions.request(accepted, 0);
    expect(admissions.end(accepted, true)).toBe(false);
    expect(admissions.end(refusedLater, false)).toBe(true);

    const refusedFirst = admissions.begin();
    admissions.request(refusedFirst, 1);
    const acceptedAfter = admissions.begin();
    admissions.request(acceptedAfter, 1);
    expect(admissions.end(refusedFirst, false)).toBe(false);
    expect(admissions.end(acceptedAfter, true)).toBe(true);
  });
});

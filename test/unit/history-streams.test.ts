import { describe, expect, it } from "vitest";
import { type Delivery, HistoryStreams, type StreamStep } from "../../src/beacon/state/history-streams";
import { RecentExclusions } from "../../src/beacon/state/recent-exclusions";

const CHANNEL = "history-room";
const EPOCH = "epoch-1";

function delivery(serial: number, except?: string): Delivery {
  return { serial, frame: `frame-${serial}`, ...(except === undefined ? {} : { except }) };
}

function sent(step: StreamStep): number[] {
  return step.emit.map((item) => item.serial);
}

/** A shard's stream for CHANNEL that a join's answer placed at `serial`. */
function joinedAt(serial: number): HistoryStreams {
  const streams = new HistoryStreams();
  streams.hold(CHANNEL);
  expect(sent(streams.release(CHANNEL, { epoch: EPOCH, serial }))).toEqual([]);
  return streams;
}

describe("a shard's history streams", () => {
  it("send deliveries in serial order, holding one that came before a smaller serial", () => {
    const streams = joinedAt(4);
    expect(streams.position(CHANNEL)).toEqual({ epoch: EPOCH, serial: 4 });
    expect(sent(streams.arrive(CHANNEL, delivery(5)))).toEqual([5]);
    const ahead = streams.arrive(CHANNEL, delivery(7));
    expect(sent(ahead)).toEqual([]);
    // Nothing in flight here will bring 6: the hub is asked for what follows 5.
    expect(ahead.fillAfter).toEqual({ serial: 5, epoch: EPOCH });
    expect(sent(streams.arrive(CHANNEL, delivery(6)))).toEqual([6, 7]);
    expect(streams.position(CHANNEL)).toEqual({ epoch: EPOCH, serial: 7 });
  });

  it("never send a serial twice: the hub's copy and a late delivery of one already sent are dropped", () => {
    const streams = joinedAt(1);
    expect(streams.arrive(CHANNEL, delivery(3)).fillAfter).toEqual({ serial: 1, epoch: EPOCH });
    // The delivery of 2 arrives while the hub is asked, and is kept over the hub's copy (which has no socket_id).
    expect(sent(streams.arrive(CHANNEL, delivery(2, "sender")))).toEqual([2, 3]);
    const fill = streams.filled(CHANNEL, { epoch: EPOCH, serial: 3 }, [delivery(2), delivery(3)]);
    expect(sent(fill)).toEqual([]);
    expect(sent(streams.arrive(CHANNEL, delivery(3)))).toEqual([]);
    expect(sent(streams.arrive(CHANNEL, delivery(4)))).toEqual([4]);
  });

  it("fill a gap from the hub's answer, keeping the delivery that came over the hub's copy", () => {
    const streams = joinedAt(1);
    streams.arrive(CHANNEL, delivery(4, "sender"));
    const fill = streams.filled(CHANNEL, { epoch: EPOCH, serial: 4 }, [delivery(2), delivery(3), delivery(4)]);
    expect(fill.emit).toEqual([delivery(2), delivery(3), delivery(4, "sender")]);
  });

  it("wait for a join or client event in flight rather than ask the hub", () => {
    const streams = joinedAt(1);
    streams.hold(CHANNEL);
    const held = streams.arrive(CHANNEL, delivery(3));
    expect(held).toEqual({ emit: [] });
    expect(sent(streams.arrive(CHANNEL, delivery(2)))).toEqual([2, 3]);
    streams.arrive(CHANNEL, delivery(5));
    // Released with 4 still missing: now the hub is asked.
    expect(streams.release(CHANNEL).fillAfter).toEqual({ serial: 3, epoch: EPOCH });
  });

  it("hold a first subscriber's deliveries until its join answers, then send those after the answer's position", () => {
    const streams = new HistoryStreams();
    streams.restart(CHANNEL);
    streams.hold(CHANNEL);
    expect(sent(streams.arrive(CHANNEL, delivery(8)))).toEqual([]);
    expect(sent(streams.arrive(CHANNEL, delivery(7)))).toEqual([]);
    expect(streams.position(CHANNEL)).toBeUndefined();
    const answered = streams.release(CHANNEL, { epoch: EPOCH, serial: 7 });
    expect(sent(answered)).toEqual([8]);
    expect(answered.fillAfter).toBeUndefined();
  });

  it("start at the first delivery after a wake, and send an older one still in flight late rather than drop it", () => {
    const streams = new HistoryStreams();
    expect(sent(streams.arrive(CHANNEL, delivery(10)))).toEqual([10]);
    // The epoch is not known until the hub says it, so a new subscriber must ask.
    expect(streams.position(CHANNEL)).toBeUndefined();
    expect(sent(streams.arrive(CHANNEL, delivery(9)))).toEqual([9]);
    expect(sent(streams.arrive(CHANNEL, delivery(11)))).toEqual([11]);
    expect(sent(streams.arrive(CHANNEL, delivery(11)))).toEqual([]);
  });

  it("pass a socket by up to the serial it already has, until a later one goes out", () => {
    const streams = joinedAt(2);
    streams.floor(CHANNEL, "resumed", 4);
    expect(streams.skipFor(CHANNEL, 3)).toEqual(new Set(["resumed"]));
    expect(streams.skipFor(CHANNEL, 4)).toEqual(new Set(["resumed"]));
    expect(streams.skipFor(CHANNEL, 5)).toEqual(new Set());
    expect(streams.skipFor(CHANNEL, 3)).toBeUndefined();
  });

  it("go on from the oldest held when the hub cannot fill the gap (older than retention)", () => {
    const streams = joinedAt(1);
    streams.arrive(CHANNEL, delivery(50));
    streams.arrive(CHANNEL, delivery(52));
    const gone = streams.filled(CHANNEL, { epoch: EPOCH, serial: 52 }, undefined);
    expect(sent(gone)).toEqual([50]);
    expect(gone.fillAfter).toEqual({ serial: 50, epoch: EPOCH });
  });
});

describe("a hub's recent exclusions", () => {
  it("answers the socket_id of each serial after a point, and forgets the oldest past 1,000", () => {
    const exclusions = new RecentExclusions();
    for (let serial = 1; serial <= 1001; serial++) exclusions.remember(serial, `socket-${serial}`);
    expect(exclusions.since(999)).toEqual([
      { serial: 1000, socketId: "socket-1000" },
      { serial: 1001, socketId: "socket-1001" },
    ]);
    expect(exclusions.since(0)).toHaveLength(1000);
    expect(exclusions.since(0)[0]).toEqual({ serial: 2, socketId: "socket-2" });
  });
});

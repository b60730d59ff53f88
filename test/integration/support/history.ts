import type { Frame } from "./socket";

/**
 * What a socket that resumes from serial 2 of a channel holding notes n1 to
 * n5 gets, followed by the live n6: the missed events, `sower:resumed`, then n6.
 */
export function resumedFromTwo(channel: string, epoch: string): Frame[] {
  return [
    { event: "note", channel, data: "n3", serial: 3 },
    { event: "note", channel, data: "n4", serial: 4 },
    { event: "note", channel, data: "n5", serial: 5 },
    {
      event: "sower:resumed",
      channel,
      data: JSON.stringify({ recovered: true, epoch, serial: 5, missed: 3 }),
    },
    { event: "note", channel, data: "n6", serial: 6 },
  ];
}

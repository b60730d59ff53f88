import type { Distribution } from "../bench/report/stats.ts";
import { type HibernationReport, IDLE_MS } from "./hibernation.ts";
import type { HonestTally } from "./honest.ts";
import type { SoakRuntime } from "./host/runtime.ts";
import type { FrameCampaignReport } from "./hostile/frame-campaign.ts";
import { type RequestCampaignReport, unansweredFaults } from "./hostile/request-campaign.ts";
import type { RuntimeLimitsReport } from "./runtime-limits.ts";
import type { StormReport } from "./storm/storm.ts";
import { count, exactly, info, ms, type Row, type Section, seconds, zero } from "./summary.ts";
import type { OutageReport } from "./webhook-outage.ts";

type Tally = HonestTally & { triggerMs: Distribution };

/** What the honest sockets saw while a part of the campaign ran. */
function honestRows(tally: Tally): Row[] {
  return [
    info("honest deliveries (events x subscribers)", `${count(tally.delivered)} of ${count(tally.expected)}`),
    zero("honest deliveries lost", tally.lost),
    zero("honest deliveries doubled", tally.duplicates),
    zero("honest deliveries out of order", tally.reordered),
    zero("honest roster faults", tally.rosterFaults),
    zero("honest sockets closed", tally.unexpectedCloses),
    zero("errors sent to honest sockets", tally.errorFrames),
    zero("honest triggers not answered 200", tally.failedTriggers),
    info("honest trigger answered, p50 / p99", `${ms(tally.triggerMs.p50)} / ${ms(tally.triggerMs.p99)}`),
  ];
}

function sorted(record: Partial<Record<string, number>>): string {
  return Object.entries(record)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, value]) => `${key}: ${count(value ?? 0)}`)
    .join(", ");
}

export function framesSection(report: FrameCampaignReport, tally: Tally, seconds_: number): Section {
  return {
    title: `Hostile frames (${report.sockets} sockets, ${report.flooders} of them flooding, ${seconds(seconds_)})`,
    rows: [
      info("hostile frames sent", count(report.frames)),
      info("of them from paced sockets, each parsed and handled", count(report.pacedFrames)),
      info("refused with pusher:error or subscription_error", count(report.refusals)),
      zero("answered 'Internal server error'", report.internalErrors),
      info("closes by the server, by code", sorted(report.closes) || "none"),
      info("flooders closed with 4301 and replaced", count(report.floodCloses)),
      zero("other closes, but 4009 after a failed sign-in", report.unexpectedCloses),
      zero("frames from the server that were not JSON events", report.unreadable),
      zero("sockets that stopped answering", report.stalls),
      ...honestRows(tally),
    ],
  };
}

export function framesByCategory(report: FrameCampaignReport): Section {
  return {
    title: "Hostile frames by kind",
    rows: Object.entries(report.byCategory)
      .sort(([, a], [, b]) => (b ?? 0) - (a ?? 0))
      .map(([category, frames]) => info(category, count(frames ?? 0))),
  };
}

export function requestsSection(report: RequestCampaignReport, tally: Tally, seconds_: number): Section {
  const mangled = Object.values(report.unanswered).reduce((sum, value) => sum + (value ?? 0), 0);
  return {
    title: `Hostile HTTP requests (${seconds(seconds_)})`,
    rows: [
      info("requests sent", count(report.requests)),
      info("answers by status", sorted(report.statuses)),
      zero("5xx answered by Sower", report.serverErrors),
      info("501 from the runtime's HTTP parser (unknown method)", count(report.runtimeUnknownMethod)),
      zero("well-formed requests left unanswered", unansweredFaults(report)),
      info("mangled or refused-mid-upload requests closed unanswered", count(mangled - unansweredFaults(report))),
      ...report.serverErrorSamples.map((sample) => info("  5xx sample", sample)),
      ...honestRows(tally),
    ],
  };
}

export function runtimeSection(report: RuntimeLimitsReport): Section {
  return {
    title: "Left to the runtime",
    rows: [
      exactly(
        `close code for a ${(report.oversizedBytes / 2 ** 20).toFixed(0)} MiB frame`,
        String(report.oversizedClose),
        "1009",
      ),
      exactly(
        "client event data sent as a, 0xFF, b, 0xC0 0xAF, c",
        JSON.stringify(report.invalidUtf8Delivered),
        '"a\uFFFDb\uFFFD\uFFFDc"',
      ),
    ],
  };
}

export function hibernationSection(report: HibernationReport, tally: Tally): Section {
  return {
    title: "Hibernation cycles",
    rows: [
      info(
        `cycles (idle ${IDLE_MS / 1000} s, woken by a frame, a REST call or a new socket in turn)`,
        count(report.cycles),
      ),
      exactly("cycles after which the Beacon was a new instance", count(report.evicted), count(report.cycles)),
      zero("cache channel subscribers that did not get the last event", report.cacheFaults),
      ...honestRows(tally),
    ],
  };
}

export function outageSection(report: OutageReport, tally: Tally): Section {
  return {
    title: "Webhook outage and recovery",
    rows: [
      info("events queued while the endpoint was down", count(report.events)),
      info("other events in the backlog (honest client events)", count(report.otherEvents)),
      info("outage (500s, then hanging)", seconds(report.outageSeconds)),
      info("attempts answered 500 or left hanging", count(report.failedAttempts)),
      info("recovery: endpoint back to last queued event accepted", seconds(report.recoverySeconds)),
      zero("queued events never accepted", report.lost),
      zero("events accepted twice", report.duplicates),
      zero("channels vacated before occupied", report.misordered),
      ...honestRows(tally),
    ],
  };
}

export function stormSection(report: StormReport, cappedFrom: number | undefined): Section {
  return {
    title: `Reconnect storm (${count(report.sockets)} sockets${cappedFrom === undefined ? "" : `, of ${count(cappedFrom)} asked: the open-file limit`})`,
    rows: [
      info("subscriptions (own channel + a cache channel each)", count(report.subscriptions)),
      info("presence users (one to three sockets each)", count(report.presenceUsers)),
      info("first connect and subscribe, all sockets", seconds(report.firstConnectSeconds)),
      info("runtime stopped and started again, state kept", seconds(report.restartSeconds)),
      info("runtime back to every socket subscribed again", seconds(report.reconnectSeconds)),
      info("sockets dropped to every socket subscribed again", seconds(report.outageSeconds)),
      info(
        "runtime CPU meanwhile / this process busy",
        `${seconds(report.serverCpuSeconds)} / ${(report.clientBusy * 100).toFixed(0)} %`,
      ),
      info("connection attempts retried", count(report.retries)),
      zero("sockets not back", report.notBack),
      zero("cache subscribers without exactly the cached event", report.cacheFaults),
      zero("roster faults (sockets and member lists)", report.rosterFaults),
      zero("channels with a wrong subscription count", report.countFaults),
      zero("deliveries lost after the storm", report.lost),
      zero("deliveries doubled after the storm", report.duplicates),
      zero("errors sent to storm sockets", report.errors),
      zero("leave and join webhooks for what was back within the 3 s grace", report.flapsWithinGrace),
      info(
        "channels / presence members back after the grace (one leave, one join each)",
        `${count(report.afterGrace - report.membersAfterGrace)} / ${count(report.membersAfterGrace)}`,
      ),
      zero("webhook sequences other than none or one leave then one join", report.badSequences),
      zero("cache_miss webhooks", report.cacheMisses),
    ],
  };
}

export function runtimeHealthSection(runtime: SoakRuntime): Section {
  return {
    title: "The runtime throughout",
    rows: [
      zero("error lines logged (Sower's, and workerd's uncaught exceptions)", runtime.errorLines.length),
      ...runtime.errorLines.slice(0, 5).map((line) => info("  error sample", line.slice(0, 160))),
      zero("workerd crashes", runtime.crashes),
      info("restarts the campaign made (the storm's deploy)", count(runtime.restarts)),
      info("frames workerd itself refused (over 32 MiB)", count(runtime.runtimeRefusals.length)),
    ],
  };
}

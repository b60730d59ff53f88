import { randomUUID } from "node:crypto";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../../../test/browser/support/browser";
import { locateChromium } from "../../../test/browser/support/chromium";
import { callApi, joinApi } from "./support/api";
import { RoomPage } from "./support/room-page";
import { ADMIN_PASSWORD, type RoomsStack, startRooms } from "./support/stack";

/**
 * The rooms example end to end: its page in Chromium, its backend Worker and
 * Durable Object, and Sower, each started here with fresh state. Every check
 * reads what a person would see on the page, or what their browser received.
 */
let stack: RoomsStack;
let browser: Browser;
const pages: RoomPage[] = [];

beforeAll(async () => {
  // The browser tier's global setup does this for its own project; this project calls it itself.
  const chromium = await locateChromium(join(import.meta.dirname, "../../.."));
  [stack, browser] = await Promise.all([startRooms(), launchChromium(chromium)]);
});
afterEach(async () => {
  for (const page of pages) expect(page.pageErrors()).toEqual([]);
  await Promise.all(pages.splice(0).map((page) => page.close()));
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

function uniqueRoom(label: string): string {
  return `${label}-${randomUUID().slice(0, 8)}`;
}

async function person(room: string, profile: string, adminPassword = ""): Promise<RoomPage> {
  const page = await RoomPage.open(browser, stack.origin);
  pages.push(page);
  await page.join(room, profile, adminPassword);
  return page;
}

describe("profiles", () => {
  it("show other members the public properties only, and their owner everything with where they connect from", async () => {
    const room = uniqueRoom("profiles");
    const ann = await person(room, "name=Ann\nteam=blue\n_email=ann@private.example");
    const bob = await person(room, "name=Bob");

    const me = await ann.myProfile();
    expect(me.profile).toEqual({ name: "Ann", team: "blue", _email: "ann@private.example" });
    // wrangler dev gives request.cf: the machine's own location, or a placeholder when offline.
    // Cloudflare always knows the country (a two-letter code); a city can be unknown.
    expect(me.location.country).toMatch(/^[A-Z0-9]{2}$/);
    expect(me.location.city === null || typeof me.location.city === "string").toBe(true);

    const annAsBobSeesHer = bob.page.locator(`[data-member="${me.id}"]`);
    await annAsBobSeesHer.filter({ hasText: "team: blue" }).waitFor();
    await ann.changeProfile("mood=curious\n_phone=555-0100");
    await annAsBobSeesHer.filter({ hasText: "mood: curious" }).waitFor();
    expect(await annAsBobSeesHer.textContent()).toBe("Ann (team: blue, mood: curious)");
    expect((await ann.myProfile()).profile).toEqual({
      name: "Ann",
      team: "blue",
      mood: "curious",
      _email: "ann@private.example",
      _phone: "555-0100",
    });

    // Bob's browser received Ann's public properties, and never a private one.
    expect(bob.heard("curious")).toBe(true);
    for (const secret of ["ann@private.example", "_email", "555-0100", "_phone"]) expect(bob.heard(secret)).toBe(false);
  });
});

describe("chat", () => {
  it("carries each message's sender's public profile", async () => {
    const room = uniqueRoom("chat");
    const ann = await person(room, "name=Ann\nteam=blue\n_email=ann@private.example");
    const bob = await person(room, "name=Bob");
    await ann.submit("#chat-text", "Hello, room!", "#send-chat");
    await bob.page.locator("#chat li", { hasText: "Hello, room!" }).waitFor();
    expect(await bob.lines("#chat")).toEqual(["Ann (team: blue): Hello, room!"]);
    expect(await ann.lines("#chat")).toEqual(["Ann (team: blue): Hello, room!"]);
    expect(bob.heard("ann@private.example")).toBe(false);
  });
});

describe("polls", () => {
  it("show every voter's tally to followers of the poll and of all polls, and to late joiners at once", async () => {
    const room = uniqueRoom("polls");
    const ann = await person(room, "name=Ann");
    const bob = await person(room, "name=Bob");
    await ann.page.click("#follow-all-polls");
    await bob.submit("#follow-poll", "lunch", "#follow-poll-button");
    await bob.page.locator('[data-poll="lunch"]', { hasText: "no votes yet" }).waitFor();

    await ann.vote("lunch", "pizza");
    await bob.vote("lunch", "pizza");
    await expect.poll(() => ann.tally("lunch")).toEqual({ pizza: 2 });
    await expect.poll(() => bob.tally("lunch")).toEqual({ pizza: 2 });
    // A second vote replaces the first.
    await bob.vote("lunch", "sushi");
    await expect.poll(() => ann.tally("lunch")).toEqual({ pizza: 1, sushi: 1 });
    await expect.poll(() => bob.tally("lunch")).toEqual({ pizza: 1, sushi: 1 });

    const carol = await person(room, "name=Carol");
    await carol.submit("#follow-poll", "lunch", "#follow-poll-button");
    await expect.poll(() => carol.tally("lunch")).toEqual({ pizza: 1, sushi: 1 });
  });

  it("drop an ephemeral vote once its voter has left, and keep their other votes", async () => {
    const room = uniqueRoom("ephemeral");
    const ann = await person(room, "name=Ann");
    const bob = await person(room, "name=Bob");
    await ann.page.click("#follow-all-polls");
    await ann.vote("mood", "happy", true);
    await bob.vote("mood", "sleepy", true);
    await bob.vote("lunch", "pizza");
    await expect.poll(() => ann.tally("mood")).toEqual({ happy: 1, sleepy: 1 });
    await expect.poll(() => ann.tally("lunch")).toEqual({ pizza: 1 });
    await ann.page.locator('[data-poll="mood"] h4', { hasText: "mood (ephemeral)" }).waitFor();

    pages.splice(pages.indexOf(bob), 1);
    await bob.close();
    // Sower reports the leave after its 3 s grace; the backend then drops the vote.
    await expect.poll(() => ann.tally("mood"), { timeout: 15_000 }).toEqual({ happy: 1 });
    expect(await ann.tally("lunch")).toEqual({ pizza: 1 });
  });
});

describe("counters", () => {
  it("change by any amount, and everyone following one sees its value, late joiners at once", async () => {
    const room = uniqueRoom("counters");
    const ann = await person(room, "name=Ann");
    const bob = await person(room, "name=Bob");
    await ann.changeCounter("claps", 5, "#increment");
    await expect.poll(() => ann.counter("claps")).toBe(5);
    await bob.changeCounter("claps", 2, "#decrement");
    await expect.poll(() => bob.counter("claps")).toBe(3);
    await expect.poll(() => ann.counter("claps")).toBe(3);

    const carol = await person(room, "name=Carol");
    await carol.submit("#counter-name", "claps", "#follow-counter");
    await expect.poll(() => carol.counter("claps")).toBe(3);
  });
});

describe("admins", () => {
  it("configure a room, and a newcomer gets the configuration as they join", async () => {
    const room = uniqueRoom("config");
    const admin = await person(room, "name=Ada", ADMIN_PASSWORD);
    await admin.page.fill("#config-title", "Quiz night");
    await admin.submit("#config-welcome", "Answers at nine.", "#save-config");
    await admin.page.locator("#room-title", { hasText: "Quiz night" }).waitFor();

    const newcomer = await person(room, "name=Nina");
    await newcomer.page.locator("#room-title", { hasText: "Quiz night" }).waitFor();
    expect(await newcomer.text("#room-welcome")).toBe("Answers at nine.");
    expect(await newcomer.page.isHidden("#admin")).toBe(true);
  });

  it("broadcast an announcement that reaches every room", async () => {
    const here = uniqueRoom("broadcast-a");
    const there = uniqueRoom("broadcast-b");
    const admin = await person(here, "name=Ada", ADMIN_PASSWORD);
    const neighbour = await person(here, "name=Ned");
    const elsewhere = await person(there, "name=Eve");
    await admin.submit("#broadcast-text", "Doors close in five minutes.", "#broadcast");
    for (const page of [admin, neighbour, elsewhere]) {
      await page.page.locator("#announcements li", { hasText: "Doors close" }).waitFor();
      expect(await page.lines("#announcements")).toEqual(["Ada: Doors close in five minutes."]);
    }
  });

  it("alone receive what members relay to them", async () => {
    const room = uniqueRoom("relay");
    const admin = await person(room, "name=Ada", ADMIN_PASSWORD);
    const bob = await person(room, "name=Bob\n_seat=12F");
    const carol = await person(room, "name=Carol");
    await bob.submit("#ask-text", "Where is the coffee?", "#ask");
    await admin.page.locator("#admin-inbox li", { hasText: "coffee" }).waitFor();
    expect(await admin.lines("#admin-inbox")).toEqual(["Bob: Where is the coffee?"]);
    expect(admin.heard("12F")).toBe(false);
    // Wait for a later event, so anything relayed to everyone would have arrived by now.
    await carol.submit("#chat-text", "after the question", "#send-chat");
    for (const page of [bob, carol]) {
      await page.page.locator("#chat li", { hasText: "after the question" }).waitFor();
      expect(page.heard("coffee")).toBe(false);
    }
    expect(await carol.trySubscribe(`private-room.${room}.admin`)).toBe("refused 403");
  });
});

describe("the rooms API refuses what it must", () => {
  it("answers each bad request with its status and a message", async () => {
    const room = uniqueRoom("refusals");
    const wrongPassword = await callApi(stack.origin, `/api/rooms/${room}/join`, {
      method: "POST",
      body: { profile: { name: "Mallory" }, adminPassword: "guess" },
    });
    expect(wrongPassword).toEqual({ status: 403, body: { error: "wrong admin password" } });
    const badProperty = await callApi(stack.origin, `/api/rooms/${room}/join`, {
      method: "POST",
      body: { profile: { "not a name": "x" } },
    });
    expect(badProperty.status).toBe(400);
    expect(JSON.stringify(badProperty.body)).toContain("not a name");
    expect(await callApi(stack.origin, `/api/rooms/${room}/me`, { token: "not-a-token" })).toEqual({
      status: 401,
      body: { error: "not a member of this room: join it first" },
    });

    const member = await joinApi(stack.origin, room, { name: "Nina" });
    const config = await callApi(stack.origin, `/api/rooms/${room}/config`, {
      method: "PUT",
      token: member.token,
      body: { config: { title: "Mine now" } },
    });
    expect(config).toEqual({ status: 403, body: { error: "only an admin may configure the room" } });
    const broadcast = await callApi(stack.origin, `/api/rooms/${room}/broadcast`, {
      method: "POST",
      token: member.token,
      body: { text: "hello everyone" },
    });
    expect(broadcast).toEqual({ status: 403, body: { error: "only an admin may broadcast" } });
    const fraction = await callApi(stack.origin, `/api/rooms/${room}/counters/claps`, {
      method: "POST",
      token: member.token,
      body: { by: 1.5 },
    });
    expect(fraction).toEqual({ status: 400, body: { error: "by must be a whole number, e.g. 1 or -5" } });
    const essay = await callApi(stack.origin, `/api/rooms/${room}/chat`, {
      method: "POST",
      token: member.token,
      body: { text: "x".repeat(1001) },
    });
    expect(essay).toEqual({
      status: 400,
      body: { error: "text must be a non-empty string of at most 1000 characters" },
    });
    const otherRoom = await callApi(stack.origin, "/pusher/auth", {
      method: "POST",
      token: member.token,
      form: { socket_id: "1.1", channel_name: `presence-room.${uniqueRoom("other")}` },
    });
    expect(otherRoom).toEqual({ status: 401, body: { error: "not a member of this room: join it first" } });
  });
});

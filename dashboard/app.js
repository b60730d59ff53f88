// The dashboard's page: plain DOM, no framework. Every value from outside
// (channel names, event data, user_info) goes in as text, never as markup.

import { renderConsole, renderWebhooks, stopConsole } from "./console.js";
import { renderGraphs } from "./graphs.js";

const API = "/dashboard/api";
const REFRESH_MS = 5000;
const $ = (id) => document.getElementById(id);
const view = $("view");
let session = null;
let refreshTimer = 0;

/** Builds an element: attributes (with `on*` as listeners) and children (strings become text). */
function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else if (value !== false && value !== undefined) element.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

async function call(method, path, body) {
  const response = await fetch(API + path, {
    method,
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "same-origin",
  });
  const data = response.status === 204 ? {} : await response.json().catch(() => ({}));
  if (response.status === 401 && path !== "/login") showLogin();
  return { ok: response.ok, status: response.status, data };
}

const number = (value) => (typeof value === "number" ? value.toLocaleString("en") : "–");
const rate = (value) => (typeof value === "number" ? `${value.toFixed(1)}/s` : "–");
const appLink = (id, tail = "") => `#/apps/${encodeURIComponent(id)}${tail}`;

function figures(pairs) {
  return h(
    "dl",
    { class: "figures" },
    ...pairs.map(([label, value]) => h("div", {}, h("dt", {}, label), h("dd", {}, value))),
  );
}

/** What an operator should notice first: off, refused calls, or webhooks not getting through, lately. */
function status(app) {
  const recent = app.today ?? {};
  if (!app.enabled) return ["Disabled", "bad"];
  if (app.stats === null || app.today === null) return ["No figures", "warn"];
  if (recent.webhook_failures_recent > 0) return ["Webhooks failing", "bad"];
  if (recent.rate_limited_recent > 0) return ["Limits hit", "warn"];
  return ["Enabled", "ok"];
}

async function renderApps() {
  const { ok, data } = await call("GET", "/apps");
  if (!ok) return renderError(data);
  const cards = data.apps.map((app) => {
    const [label, tone] = status(app);
    const stats = app.stats ?? {};
    return h(
      "article",
      { class: "card", "data-app": app.id },
      h("h2", {}, h("span", { class: "name" }, app.id), h("span", { class: `status ${tone}` }, label)),
      figures([
        ["Connections now", number(stats.connections)],
        ["Peak today (UTC)", number(app.today?.peak_today)],
        ["Channels", number(stats.channels)],
        ["Messages in", number(stats.totals?.messages_in)],
        ["Messages out", number(stats.totals?.messages_out)],
        ["In per second", rate(stats.rates_per_second?.messages_in)],
        ["Out per second", rate(stats.rates_per_second?.messages_out)],
      ]),
      h(
        "p",
        { class: "links" },
        h("a", { href: appLink(app.id, "/graphs") }, "Graphs"),
        h("a", { href: appLink(app.id) }, "Channels"),
        h("a", { href: appLink(app.id, "/publish") }, "Publish an event"),
        h("a", { href: appLink(app.id, "/console") }, "Debug console"),
        h("a", { href: appLink(app.id, "/webhooks") }, "Webhooks"),
      ),
    );
  });
  return [h("h1", {}, "Apps"), h("div", { class: "cards" }, cards)];
}

async function renderChannels(appId) {
  const { ok, data } = await call("GET", `/apps/${encodeURIComponent(appId)}/channels`);
  if (!ok) return renderError(data);
  const users = data.presence.channels;
  const names = Object.keys(data.all.channels).sort();
  const items = names.map((name) => {
    const counts = [`${number(data.all.channels[name].subscription_count)} subscriptions`];
    if (Object.hasOwn(users, name)) counts.push(`${number(users[name].user_count)} users`);
    return h(
      "li",
      { "data-channel": name },
      h("a", { class: "name", href: appLink(appId, `/channels/${encodeURIComponent(name)}`) }, name),
      h("span", { class: "muted" }, counts.join(" · ")),
    );
  });
  return [
    h("h1", {}, "Channels of ", h("span", { class: "name" }, appId)),
    h("p", { class: "links" }, h("a", { href: appLink(appId, "/publish") }, "Publish an event")),
    items.length === 0 ? h("p", { class: "muted" }, "No channel is occupied.") : h("ul", { class: "list" }, items),
  ];
}

async function renderChannel(appId, name) {
  const { ok, data } = await call("GET", `/apps/${encodeURIComponent(appId)}/channels/${encodeURIComponent(name)}`);
  if (!ok) return renderError(data);
  const state = data.state ?? data;
  const parts = [
    h("h1", {}, h("span", { class: "name" }, name)),
    h("p", {}, h("a", { href: appLink(appId) }, "All channels")),
    figures([
      ["Occupied", state.occupied ? "yes" : "no"],
      ["Subscriptions", number(state.subscription_count)],
      ...(state.user_count === undefined ? [] : [["Users", number(state.user_count)]]),
    ]),
  ];
  if (data.members !== undefined) {
    parts.push(h("h2", {}, "Members"));
    parts.push(
      data.members.length === 0
        ? h("p", { class: "muted" }, "No members.")
        : h(
            "ul",
            { class: "list", id: "members" },
            data.members.map((member) =>
              h("li", { "data-member": member.id }, h("span", { class: "name" }, member.id), h("pre", {}, member.info)),
            ),
          ),
    );
  }
  if (/^(private-encrypted-|private-|presence-)?cache-/.test(name)) {
    parts.push(h("h2", {}, "Last event"));
    const cached = state.cache;
    parts.push(
      cached === undefined
        ? h("p", { class: "muted" }, "Nothing cached.")
        : h(
            "div",
            { id: "cached" },
            h("p", { class: "name" }, `${cached.event} (expires in ${cached.ttl} s)`),
            h("pre", {}, cached.data),
          ),
    );
  }
  return parts;
}

function renderPublish(appId) {
  const result = h("p", { id: "publish-result", role: "status" });
  const form = h(
    "form",
    {
      id: "publish-form",
      onsubmit: async (event) => {
        event.preventDefault();
        const fields = new FormData(form);
        const channels = String(fields.get("channels"))
          .split(",")
          .map((name) => name.trim())
          .filter(Boolean);
        const body = { name: fields.get("name"), channels, data: fields.get("data") };
        result.className = "";
        result.textContent = "Publishing…";
        const reply = await call("POST", `/apps/${encodeURIComponent(appId)}/events`, body);
        result.className = reply.ok ? "" : "error";
        result.textContent = reply.ok
          ? `Published to ${channels.join(", ")}.`
          : (reply.data.error ?? `Refused (${reply.status})`);
      },
    },
    h("label", { for: "publish-channels" }, "Channels (comma-separated)"),
    h("input", { id: "publish-channels", name: "channels", required: true, autocomplete: "off" }),
    h("label", { for: "publish-name" }, "Event name"),
    h("input", { id: "publish-name", name: "name", required: true, autocomplete: "off" }),
    h("label", { for: "publish-data" }, "Data"),
    h("textarea", { id: "publish-data", name: "data" }, "{}"),
    h("button", { type: "submit" }, "Publish"),
    result,
  );
  return [
    h("h1", {}, "Publish an event to ", h("span", { class: "name" }, appId)),
    h("p", { class: "muted" }, "Checked exactly as POST /apps/{id}/events checks it."),
    form,
  ];
}

function renderError(data) {
  return [h("p", { class: "error", role: "alert" }, data.error ?? "Something went wrong.")];
}

/** `#/apps`, `#/apps/{id}`, `#/apps/{id}/channels/{name}`, `#/apps/{id}/publish`, `/graphs[/day]`, `/console`, `/webhooks`. */
function parseHash() {
  const parts = location.hash.replace(/^#\/?/, "").split("/").map(decodeURIComponent);
  if (parts[0] !== "apps" || parts[1] === undefined || parts[1] === "") return { page: "apps" };
  if (parts[2] === "channels" && parts[3] !== undefined) return { page: "channel", appId: parts[1], name: parts[3] };
  if (parts[2] === "publish") return { page: "publish", appId: parts[1] };
  if (parts[2] === "graphs") return { page: "graphs", appId: parts[1], range: parts[3] === "day" ? "day" : "hour" };
  if (parts[2] === "console" || parts[2] === "webhooks") return { page: parts[2], appId: parts[1] };
  return { page: "channels", appId: parts[1] };
}

async function render({ focus = true } = {}) {
  clearTimeout(refreshTimer);
  if (session === null) return;
  const route = parseHash();
  let content;
  if (route.page === "apps") content = await renderApps();
  else if (route.page === "channels") content = await renderChannels(route.appId);
  else if (route.page === "channel") content = await renderChannel(route.appId, route.name);
  else if (route.page === "graphs") content = await renderGraphs({ h, call, appLink }, route.appId, route.range);
  else if (route.page === "console") content = renderConsole(route.appId, { h, call });
  else if (route.page === "webhooks")
    content = await renderWebhooks(route.appId, { h, call, refresh: () => render({ focus: false }) });
  else content = renderPublish(route.appId);
  if (session === null) return;
  // The event creator is never redrawn under the user, and the console is live already.
  const live = route.page === "publish" || route.page === "console";
  const refresh = live
    ? null
    : h(
        "button",
        { type: "button", class: "quiet", id: "refresh", onclick: () => render({ focus: false }) },
        "Refresh",
      );
  view.replaceChildren(
    h("div", { class: "toolbar" }, h("span", { class: "muted" }, session.operator ? "Operator" : "App"), refresh),
    ...content,
  );
  view.hidden = false;
  if (focus) $("main").focus();
  // Figures stay fresh while the page is in view; a form being filled in is never redrawn under the user.
  if (!live) {
    refreshTimer = setTimeout(() => {
      if (document.visibilityState === "visible") render({ focus: false });
    }, REFRESH_MS);
  }
}

function showLogin() {
  session = null;
  clearTimeout(refreshTimer);
  stopConsole();
  view.hidden = true;
  view.replaceChildren();
  $("nav").hidden = true;
  $("login").hidden = false;
}

function showDashboard(described) {
  session = described;
  $("login").hidden = true;
  $("nav").hidden = false;
  render();
}

$("login-form").addEventListener("change", () => {
  const mode = new FormData($("login-form")).get("mode");
  for (const part of document.querySelectorAll("[data-mode]")) part.hidden = part.dataset.mode !== mode;
});

$("login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const fields = new FormData(event.target);
  const body =
    fields.get("mode") === "token"
      ? { token: fields.get("token") }
      : { key: fields.get("key"), secret: fields.get("secret") };
  const reply = await call("POST", "/login", body);
  // The credentials are not kept anywhere once sent.
  event.target.reset();
  $("login-form").dispatchEvent(new Event("change"));
  if (!reply.ok) {
    $("login-error").textContent = reply.data.error ?? `Refused (${reply.status})`;
    return;
  }
  $("login-error").textContent = "";
  showDashboard(reply.data);
});

$("logout").addEventListener("click", async () => {
  await call("POST", "/logout", {});
  showLogin();
});

window.addEventListener("hashchange", () => render());

call("GET", "/session").then((reply) => (reply.ok ? showDashboard(reply.data) : showLogin()));

// The debug console and the webhooks view. app.js hands in its element
// builder `h` and its API caller `call`; every value from outside goes in as
// text, never as markup.

/** Lines kept on the page: older ones go, so a busy app never grows the page without bound. */
const KEPT = 500;
/** Events held while paused, at most; past it the oldest go and are counted as dropped. */
const HELD_WHILE_PAUSED = 500;

let active = null;

/** Closes the open console, if any: on leaving its page, and before another is drawn. */
export function stopConsole() {
  active?.close();
  active = null;
}

window.addEventListener("hashchange", stopConsole);

const time = (at) => new Date(at).toLocaleTimeString("en-GB", { hour12: false });
const plural = (count, one) => `${count.toLocaleString("en")} ${one}${count === 1 ? "" : "s"}`;

/** What a line says, and the names it can be found by (channels, event names, socket ids, users). */
function describe(event) {
  switch (event.kind) {
    case "connected":
      return [
        "Connection opened",
        `socket ${event.socket}${event.origin ? ` from ${event.origin}` : ""}`,
        [event.socket],
      ];
    case "closed":
      return ["Connection closed", `socket ${event.socket}, code ${event.code ?? "none"}`, [event.socket]];
    case "subscribed":
      return ["Subscribed", `socket ${event.socket} to ${event.channel}`, [event.socket, event.channel]];
    case "unsubscribed":
      return ["Unsubscribed", `socket ${event.socket} from ${event.channel}`, [event.socket, event.channel]];
    case "api_event":
      return [
        "API event",
        `${event.event} on ${event.channels.join(", ")} (${plural(event.bytes, "byte")})`,
        [event.event, ...event.channels],
      ];
    case "client_event":
      return [
        "Client event",
        `${event.event} on ${event.channel} from socket ${event.socket} (${plural(event.bytes, "byte")})`,
        [event.event, event.channel, event.socket],
      ];
    case "member_added":
      return ["Member added", `${event.user} to ${event.channel}`, [event.user, event.channel]];
    case "member_removed":
      return ["Member removed", `${event.user} from ${event.channel}`, [event.user, event.channel]];
    case "webhook":
      return [
        "Webhook",
        `${event.events.join(", ")} to ${event.endpoint}: ${event.status} (attempt ${event.attempt})`,
        event.events,
      ];
    default: {
      const where = [event.socket && `socket ${event.socket}`, event.channel].filter(Boolean).join(", ");
      const names = [event.socket, event.channel].filter(Boolean);
      return [
        event.kind === "error" ? "Error" : "Refused",
        where ? `${event.message} (${where})` : event.message,
        names,
      ];
    }
  }
}

/** `#/apps/{id}/console`: the app's live events, from one socket per object that holds its sockets. */
export function renderConsole(appId, { h, call }) {
  stopConsole();
  const lines = h("ol", { class: "console-lines", id: "console-lines", "aria-live": "off" });
  const state = h("p", { class: "muted", id: "console-state", role: "status" }, "Connecting…");
  const filter = h("input", {
    id: "console-filter",
    type: "search",
    placeholder: "channel, event name or socket id",
    autocomplete: "off",
    oninput: () => applyFilter(),
  });
  const pause = h(
    "button",
    { type: "button", class: "quiet", id: "console-pause", onclick: () => togglePause() },
    "Pause",
  );
  const clear = h("button", { type: "button", class: "quiet", onclick: () => lines.replaceChildren() }, "Clear");
  const sockets = [];
  let paused = false;
  let held = [];
  let dropped = 0;
  let closed = false;

  const matches = (line) => {
    const wanted = filter.value.trim().toLowerCase();
    return wanted === "" || line.dataset.names.toLowerCase().includes(wanted);
  };
  const applyFilter = () => {
    for (const line of lines.children) line.hidden = !matches(line);
  };
  const showState = () => {
    const open = sockets.filter((ws) => ws.readyState === WebSocket.OPEN).length;
    const parts = [open === sockets.length && open > 0 ? "Live" : `Connected to ${open} of ${sockets.length}`];
    if (paused) parts.push(`paused, ${plural(held.length, "event")} held`);
    if (dropped > 0) parts.push(`${plural(dropped, "event")} dropped`);
    state.textContent = parts.join(" · ");
  };
  const show = (event) => {
    const [title, detail, names] = describe(event);
    const line = h(
      "li",
      { "data-kind": event.kind, "data-names": names.join(" ") },
      h("time", { datetime: new Date(event.at).toISOString() }, time(event.at)),
      h("span", { class: `kind ${event.kind}` }, title),
      h("span", { class: "detail" }, detail),
    );
    line.hidden = !matches(line);
    lines.prepend(line);
    while (lines.children.length > KEPT) lines.lastElementChild.remove();
  };
  const togglePause = () => {
    paused = !paused;
    pause.textContent = paused ? "Resume" : "Pause";
    if (!paused) {
      for (const event of held) show(event);
      held = [];
    }
    showState();
  };
  const receive = (message) => {
    if (!lines.isConnected) return stopConsole();
    const frame = JSON.parse(message.data);
    dropped += frame.dropped;
    for (const event of frame.events) {
      if (!paused) show(event);
      else if (held.push(event) > HELD_WHILE_PAUSED) {
        held.shift();
        dropped++;
      }
    }
    showState();
  };

  active = {
    close() {
      closed = true;
      for (const ws of sockets) ws.close(1000);
    },
  };
  call("GET", `/apps/${encodeURIComponent(appId)}/console`).then(({ ok, data }) => {
    if (closed) return;
    if (!ok) {
      state.textContent = data.error ?? "The console could not be opened.";
      state.className = "error";
      return;
    }
    const base = `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}/dashboard/api/apps/${encodeURIComponent(appId)}/console`;
    for (let shard = 0; shard < data.shards; shard++) {
      const ws = new WebSocket(`${base}?shard=${shard}`);
      ws.addEventListener("open", showState);
      ws.addEventListener("message", receive);
      ws.addEventListener("close", () => {
        if (!closed) {
          state.textContent = "The console was disconnected: reload the page to reconnect.";
          state.className = "error";
        }
      });
      sockets.push(ws);
    }
  });

  return [
    h("h1", {}, "Debug console of ", h("span", { class: "name" }, appId)),
    h(
      "p",
      { class: "muted" },
      "Connections, subscriptions, events, presence members, webhooks and refusals as they happen: names and sizes, never data.",
    ),
    h("div", { class: "console-tools" }, h("label", { for: "console-filter" }, "Filter"), filter, pause, clear),
    state,
    lines,
  ];
}

/** `#/apps/{id}/webhooks`: what is queued for each endpoint, the latest attempts, and "Retry now". */
export async function renderWebhooks(appId, { h, call, refresh }) {
  const path = `/apps/${encodeURIComponent(appId)}/webhooks`;
  const { ok, data } = await call("GET", path);
  if (!ok) return [h("p", { class: "error", role: "alert" }, data.error ?? "Something went wrong.")];
  const result = h("p", { id: "retry-result", role: "status" });
  const retry = h(
    "button",
    {
      type: "button",
      id: "retry-now",
      onclick: async () => {
        retry.disabled = true;
        const reply = await call("POST", `${path}/retry`, {});
        result.className = reply.ok ? "" : "error";
        result.textContent = reply.ok
          ? `Retrying ${plural(reply.data.queued, "queued event")} now.`
          : (reply.data.error ?? `Refused (${reply.status})`);
        // The attempts take a moment; the view then shows how they went.
        setTimeout(refresh, 1500);
      },
    },
    "Retry now",
  );
  const pending = data.backlogs.reduce((sum, backlog) => sum + backlog.pending, 0);
  const failing = data.backlogs.filter((backlog) => backlog.attempts > 0).length;
  const source = (item) => (item.source ? h("span", { class: "muted" }, ` via ${item.source}`) : null);
  const queued = data.backlogs.map((backlog) =>
    h(
      "tr",
      { "data-endpoint": backlog.endpoint },
      h("td", {}, h("span", { class: "name" }, backlog.endpoint), source(backlog)),
      h(
        "td",
        {},
        backlog.attempts > 0
          ? h("span", { class: "status bad" }, "Failing")
          : h("span", { class: "status ok" }, "Sending"),
      ),
      h("td", { class: "number" }, backlog.pending.toLocaleString("en")),
      h("td", { class: "number" }, backlog.attempts.toLocaleString("en")),
      h("td", {}, backlog.nextAttemptAt === null ? "–" : time(backlog.nextAttemptAt)),
    ),
  );
  const recent = data.recent.map((attempt) =>
    h(
      "tr",
      { "data-outcome": attempt.ok ? "delivered" : "failed" },
      h("td", {}, time(attempt.at)),
      h("td", {}, h("span", { class: "name" }, attempt.endpoint), source(attempt)),
      h("td", {}, attempt.types.join(", ")),
      h("td", { class: "number" }, attempt.events.toLocaleString("en")),
      h(
        "td",
        {},
        attempt.ok ? h("span", { class: "status ok" }, "Delivered") : h("span", { class: "status bad" }, attempt.error),
      ),
      h("td", { class: "number" }, attempt.attempt.toLocaleString("en")),
    ),
  );
  const table = (caption, headings, rows, id) =>
    h(
      "table",
      { class: "grid", id },
      h("caption", {}, caption),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          headings.map((heading) => h("th", { scope: "col" }, heading)),
        ),
      ),
      h("tbody", {}, rows),
    );
  const summary = [
    failing > 0 ? `${plural(failing, "endpoint")} failing` : "No endpoint is failing",
    `${plural(pending, "event")} queued`,
    `${plural(data.held, "leave")} in their grace period`,
  ];
  if (data.failed_objects > 0) summary.push(`${plural(data.failed_objects, "object")} did not answer`);
  return [
    h("h1", {}, "Webhooks of ", h("span", { class: "name" }, appId)),
    h("p", { id: "webhooks-summary", class: failing > 0 ? "error" : "muted" }, summary.join(" · ")),
    h("div", { class: "links" }, retry),
    result,
    queued.length === 0
      ? h("p", { class: "muted" }, "Nothing is queued.")
      : table("Queued", ["Endpoint", "State", "Queued", "Attempts", "Next attempt"], queued, "webhook-queues"),
    recent.length === 0
      ? h("p", { class: "muted" }, "No webhook has been sent lately.")
      : table(
          "Latest attempts",
          ["Time", "Endpoint", "Events", "Count", "Outcome", "Attempt"],
          recent,
          "webhook-attempts",
        ),
  ];
}

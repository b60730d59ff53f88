// The rooms page: it joins through the backend's API, then hears everything
// through Sower with pusher-js. Whatever users typed is shown with
// textContent only, never as HTML. A module, so it runs once the page is parsed;
// `Pusher` is the global that /vendor/pusher.min.js defines.

const $ = (id) => document.getElementById(id);

/** { room, id, token, admin } once joined. */
let session;
let pusher;
let membersChannel;
const members = new Map();
const followed = new Set();

function showStatus(message) {
  $("status").textContent = message;
}

/** Calls the backend as the member; shows the backend's error and returns undefined when it refuses. */
async function call(path, method = "GET", body) {
  const headers = { "Content-Type": "application/json" };
  if (session) headers.Authorization = `Bearer ${session.token}`;
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const answer = await response.json().catch(() => ({ error: `HTTP ${response.status}` }));
  if (!response.ok) {
    showStatus(answer.error ?? `HTTP ${response.status}`);
    return undefined;
  }
  showStatus("");
  return answer;
}

function roomPath(path) {
  return `/api/rooms/${encodeURIComponent(session.room)}${path}`;
}

/** `name=value` lines as an object of properties. */
function readProperties(text) {
  const properties = {};
  for (const line of text.split("\n")) {
    const at = line.indexOf("=");
    if (at > 0) properties[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return properties;
}

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className !== undefined) node.className = className;
  return node;
}

/** A member as others see them: their name, then their other public properties. */
function describe(profile) {
  const others = Object.entries(profile)
    .filter(([name]) => name !== "name")
    .map(([name, value]) => `${name}: ${value}`);
  const who = element("span", profile.name || "anonymous", "who");
  return others.length ? [who, element("span", ` (${others.join(", ")})`, "props")] : [who];
}

function renderMembers() {
  const list = $("members");
  list.replaceChildren();
  for (const [id, profile] of members) {
    const item = element("li");
    item.dataset.member = id;
    item.append(...describe(profile), id === session.id ? " — you" : "");
    list.append(item);
  }
}

function addLine(listId, from, text) {
  const item = element("li");
  if (from) {
    item.dataset.from = from.id;
    item.append(...describe(from.profile), ": ");
  }
  item.append(text);
  $(listId).append(item);
}

function renderTally(tally) {
  let box = document.querySelector(`[data-poll="${CSS.escape(tally.poll)}"]`);
  if (!box) {
    box = element("div");
    box.dataset.poll = tally.poll;
    $("polls").append(box);
  }
  const options = Object.entries(tally.votes).map(([option, count]) => {
    const item = element("li", `${option}: ${count}`);
    item.dataset.option = option;
    item.dataset.count = String(count);
    return item;
  });
  const heading = tally.ephemeral ? `${tally.poll} (ephemeral)` : tally.poll;
  box.replaceChildren(element("h4", heading), options.length ? element("ul") : element("p", "no votes yet"));
  box.querySelector("ul")?.append(...options);
}

function renderCounter(counter, value) {
  let item = document.querySelector(`[data-counter="${CSS.escape(counter)}"]`);
  if (!item) {
    item = element("li");
    item.dataset.counter = counter;
    $("counters").append(item);
  }
  item.dataset.value = String(value);
  item.textContent = `${counter}: ${value}`;
}

function renderConfig(config) {
  $("room-title").textContent = config.title || session.room;
  $("room-welcome").textContent = config.welcome || "";
}

/** Subscribes once; the channel's cached value (or a cache miss) arrives right after. */
function follow(channelName, bindings) {
  if (followed.has(channelName)) return;
  followed.add(channelName);
  const channel = pusher.subscribe(channelName);
  for (const [event, handler] of Object.entries(bindings)) channel.bind(event, handler);
  channel.bind("pusher:subscription_error", (error) => showStatus(`${channelName}: ${error.error ?? error.status}`));
}

function followPoll(poll) {
  follow(`private-cache-room.${session.room}.poll.${poll}`, {
    tally: renderTally,
    "pusher:cache_miss": () => renderTally({ poll, ephemeral: false, votes: {} }),
  });
}

function followCounter(counter) {
  follow(`private-cache-room.${session.room}.counter.${counter}`, {
    value: ({ value }) => renderCounter(counter, value),
    "pusher:cache_miss": () => renderCounter(counter, 0),
  });
}

async function connect() {
  const settings = await call("/api/settings");
  if (!settings) return;
  pusher = new Pusher(settings.key, {
    ...settings.options,
    channelAuthorization: {
      endpoint: "/pusher/auth",
      transport: "ajax",
      headers: { Authorization: `Bearer ${session.token}` },
    },
  });
  window.pusher = pusher; // for the browser console
  pusher.connection.bind("state_change", ({ current }) => {
    $("connection").textContent = current;
  });

  membersChannel = pusher.subscribe(`presence-room.${session.room}`);
  membersChannel.bind("pusher:subscription_succeeded", (roster) => {
    roster.each((member) => members.set(member.id, member.info));
    renderMembers();
  });
  membersChannel.bind("pusher:member_added", (member) => {
    members.set(member.id, member.info);
    renderMembers();
  });
  membersChannel.bind("pusher:member_removed", (member) => {
    members.delete(member.id);
    renderMembers();
  });
  // A presence entry keeps the profile it joined with; changes come as events.
  membersChannel.bind("profile-updated", ({ id, profile }) => {
    if (members.has(id)) members.set(id, profile);
    renderMembers();
  });
  membersChannel.bind("chat", ({ from, text }) => addLine("chat", from, text));
  membersChannel.bind("announcement", ({ from, text }) => addLine("announcements", from, text));

  renderConfig({});
  follow(`private-cache-room.${session.room}.config`, { config: ({ config }) => renderConfig(config) });
  if (session.admin) {
    $("admin").hidden = false;
    follow(`private-room.${session.room}.admin`, { message: ({ from, text }) => addLine("admin-inbox", from, text) });
  }
  $("join-form").hidden = true;
  $("room").hidden = false;
}

function onSubmit(formId, handler) {
  $(formId).addEventListener("submit", (event) => {
    event.preventDefault();
    handler().catch((error) => showStatus(String(error)));
  });
}

function onClick(buttonId, handler) {
  $(buttonId).addEventListener("click", () => handler().catch((error) => showStatus(String(error))));
}

onSubmit("join-form", async () => {
  const room = $("join-room").value.trim();
  const joined = await call(`/api/rooms/${encodeURIComponent(room)}/join`, "POST", {
    profile: readProperties($("join-profile").value),
    adminPassword: $("join-admin").value,
  });
  if (!joined) return;
  session = { room, ...joined };
  await connect();
});

onClick("show-me", async () => {
  $("me").textContent = "";
  const me = await call(roomPath("/me"));
  if (me) $("me").textContent = JSON.stringify(me, null, 2);
});

onSubmit("profile-form", async () => {
  const changed = await call(roomPath("/profile"), "POST", { profile: readProperties($("profile-changes").value) });
  if (changed) $("profile-changes").value = "";
});

onSubmit("chat-form", async () => {
  if (await call(roomPath("/chat"), "POST", { text: $("chat-text").value })) $("chat-text").value = "";
});

// Votes are client events: Sower relays them to the room and reports them
// to the backend by webhook, with the voter's user id from presence.
onSubmit("vote-form", async () => {
  const vote = {
    poll: $("vote-poll").value.trim(),
    option: $("vote-option").value.trim(),
    ephemeral: $("vote-ephemeral").checked,
  };
  if (!membersChannel.trigger("client-vote", vote)) showStatus("not in the room yet: try again in a moment");
});

onSubmit("follow-poll-form", async () => followPoll($("follow-poll").value.trim()));

onClick("follow-all-polls", async () => {
  follow(`private-cache-room.${session.room}.polls`, { polls: ({ polls }) => polls.forEach(renderTally) });
});

async function changeCounter(sign) {
  const counter = $("counter-name").value.trim();
  followCounter(counter);
  await call(roomPath(`/counters/${encodeURIComponent(counter)}`), "POST", {
    by: sign * Number($("counter-amount").value),
  });
}

onClick("increment", () => changeCounter(1));
onClick("decrement", () => changeCounter(-1));
onClick("follow-counter", async () => followCounter($("counter-name").value.trim()));

onSubmit("ask-form", async () => {
  if (await call(roomPath("/ask"), "POST", { text: $("ask-text").value })) $("ask-text").value = "";
});

onSubmit("config-form", async () => {
  await call(roomPath("/config"), "PUT", {
    config: { title: $("config-title").value, welcome: $("config-welcome").value },
  });
});

onSubmit("broadcast-form", async () => {
  const sent = await call(roomPath("/broadcast"), "POST", { text: $("broadcast-text").value });
  if (sent) showStatus(`announced in ${sent.rooms} room(s)`);
});

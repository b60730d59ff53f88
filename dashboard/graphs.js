// The graphs of one app: its figures per minute over the last hour or day,
// drawn with uPlot (dashboard/vendor, loaded the first time a graph is shown).
// Each graph also says its figures in words, for screen readers and tests.

const UPLOT_SCRIPT = "/dashboard/vendor/uPlot.iife.min.js";
const HEIGHT = 180;

/** Each graph: its title, and its lines (a column of the series, the words for it, a colour). */
const GRAPHS = [
  { id: "connections", title: "Connections", lines: [["connections", "Most open at once", "#1b5fd1"]] },
  {
    id: "messages",
    title: "Messages",
    lines: [
      ["messages_in", "Received", "#1b5fd1"],
      ["messages_out", "Sent", "#17753a"],
    ],
  },
  { id: "api", title: "API calls", lines: [["api_calls", "Calls", "#6a3fb5"]] },
  {
    id: "webhooks",
    title: "Webhooks",
    lines: [
      ["webhooks_delivered", "Delivered", "#17753a"],
      ["webhooks_retrying", "Failed, to retry", "#9a5b00"],
      ["webhooks_failed", "Given up", "#b3261e"],
    ],
  },
];

const RANGES = { hour: "Last hour", day: "Last day" };

let loading = null;
let charts = [];

/** uPlot's script, added once; the strict CSP allows it because it comes from the dashboard's own origin. */
function loadUplot() {
  if (globalThis.uPlot !== undefined) return Promise.resolve(globalThis.uPlot);
  loading ??= new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = UPLOT_SCRIPT;
    const failed = () => {
      loading = null;
      reject(new Error("The graph library could not be loaded."));
    };
    // A script that loads but throws (as uPlot does in a browser whose language tag Intl refuses) defines nothing.
    script.addEventListener("load", () => (globalThis.uPlot === undefined ? failed() : resolve(globalThis.uPlot)));
    script.addEventListener("error", failed);
    document.head.append(script);
  });
  return loading;
}

const sum = (values) => values.reduce((total, value) => total + value, 0);
const most = (values) => values.reduce((top, value) => Math.max(top, value), 0);
const number = (value) => value.toLocaleString("en");

/** What a line says in words: a count of what happened, or for connections the most open at once. */
function summarize(column, values) {
  if (column === "connections") return { value: most(values), words: `${number(most(values))} at the highest` };
  return { value: sum(values), words: `${number(sum(values))} in all` };
}

/** `#/apps/{id}/graphs` and `#/apps/{id}/graphs/day`. `tools` are the page's element builder and API call. */
export async function renderGraphs({ h, call, appLink }, appId, range) {
  const [{ ok, data }, uPlot] = await Promise.all([
    call("GET", `/apps/${encodeURIComponent(appId)}/series?range=${range}`),
    loadUplot().catch((error) => error),
  ]);
  if (!ok) return [h("p", { class: "error", role: "alert" }, data.error ?? "Something went wrong.")];
  for (const chart of charts) chart.destroy();
  charts = [];

  const times = data.connections.map((_, index) => data.from / 1000 + index * data.step_seconds);
  const figures = GRAPHS.map((graph) => {
    const lines = graph.lines.map(([column, label]) => ({ column, label, ...summarize(column, data[column]) }));
    const caption = `${graph.title}: ${lines.map((line) => `${line.label.toLowerCase()} ${line.words}`).join("; ")}`;
    const plot = h("div", { class: "plot", role: "img", "aria-label": caption });
    const figure = h(
      "figure",
      { class: "graph", "data-graph": graph.id },
      h("h2", {}, graph.title),
      plot,
      h(
        "figcaption",
        {},
        h(
          "ul",
          { class: "totals" },
          lines.map((line) =>
            h("li", { "data-line": line.column, "data-value": line.value }, `${line.label}: ${line.words}`),
          ),
        ),
      ),
    );
    return { graph, plot, figure };
  });

  const pointMinutes = data.step_seconds / 60;
  const nav = h(
    "p",
    { class: "links", "aria-label": "Time range" },
    Object.entries(RANGES).map(([name, label]) =>
      h(
        "a",
        {
          href: appLink(appId, name === "hour" ? "/graphs" : `/graphs/${name}`),
          "aria-current": name === range ? "page" : false,
        },
        label,
      ),
    ),
  );
  // Drawn once the figures are on the page: uPlot needs their width.
  setTimeout(() => {
    if (uPlot instanceof Error) return;
    for (const { graph, plot } of figures) {
      if (!plot.isConnected) continue;
      const chart = new uPlot(
        {
          width: plot.clientWidth,
          height: HEIGHT,
          cursor: { drag: { x: false, y: false } },
          scales: { y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
          series: [
            {},
            ...graph.lines.map(([, label, stroke]) => ({ label, stroke, width: 2, points: { show: false } })),
          ],
          axes: [{}, { size: 56 }],
        },
        [times, ...graph.lines.map(([column]) => data[column])],
        plot,
      );
      charts.push(chart);
    }
  });
  return [
    h("h1", {}, "Graphs of ", h("span", { class: "name" }, appId)),
    nav,
    h(
      "p",
      { class: "muted" },
      `One point ${pointMinutes === 1 ? "a minute" : `every ${pointMinutes} minutes`}; connections are the most open at once in each point.`,
    ),
    ...(uPlot instanceof Error ? [h("p", { class: "error", role: "alert" }, uPlot.message)] : []),
    h(
      "div",
      { class: "graphs" },
      figures.map(({ figure }) => figure),
    ),
  ];
}

window.addEventListener("resize", () => {
  for (const chart of charts) {
    const width = chart.root.parentElement?.clientWidth;
    if (width) chart.setSize({ width, height: HEIGHT });
  }
});

import { route } from "./router";

export { Beacon } from "./beacon/beacon";
export { Hub } from "./beacon/hub";
export { StatsRegistry } from "./metrics/registry";

export default {
  fetch: (request, env) => route(request, env),
} satisfies ExportedHandler<Env>;

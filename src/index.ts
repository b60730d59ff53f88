import { route } from "./router";

export { Beacon } from "./beacon/beacon";
export { Hub } from "./beacon/hub";
export { StatsRegistry } from "./metrics/registry";

export default {
  fetch: (request, env, context) => route(request, env, context),
} satisfies ExportedHandler<Env>;

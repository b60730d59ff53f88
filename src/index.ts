import { route } from "./router";

export { Beacon } from "./beacon/beacon";
export { Hub } from "./beacon/hub";

export default {
  fetch: (request, env) => route(request, env),
} satisfies ExportedHandler<Env>;

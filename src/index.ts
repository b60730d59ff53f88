import { route } from "./router";

export { Beacon } from "./beacon/beacon";

export default {
  fetch: (request, env) => route(request, env),
} satisfies ExportedHandler<Env>;

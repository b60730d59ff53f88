// pusher-js's browser build, bundled as text (wrangler.jsonc's rules), so the page needs no CDN.
import pusherJs from "pusher-js/dist/web/pusher.min.js";
import { roomApi } from "./api";
import type { RoomsEnv } from "./env";
import { json, problem } from "./http";
import { authorizeChannel } from "./pusher-auth";
import { clientSettings } from "./sower";
import { receiveWebhook } from "./webhooks";

export { Room } from "./room";

/**
 * The rooms backend. The page and its script are static assets
 * (public/); this Worker answers everything else.
 */
export default {
  async fetch(request: Request, env: RoomsEnv): Promise<Response> {
    const url = new URL(request.url);
    const route = `${request.method} ${url.pathname}`;
    try {
      if (route === "GET /health") return json({ status: "ok" });
      if (route === "GET /api/settings") return json(clientSettings(env));
      if (route === "GET /vendor/pusher.min.js") {
        return new Response(pusherJs, { headers: { "Content-Type": "text/javascript; charset=utf-8" } });
      }
      if (route === "POST /pusher/auth") return await authorizeChannel(request, env);
      if (route === "POST /pusher/webhooks") return await receiveWebhook(request, env);
      if (url.pathname.startsWith("/api/rooms/")) {
        return await roomApi(request, env, url.pathname.slice("/api/rooms/".length).split("/"));
      }
      return problem(404, "not found");
    } catch (error) {
      // Sower unreachable or refusing: say so without echoing anything secret.
      console.error(JSON.stringify({ message: "request failed", route, error: String(error) }));
      return problem(502, "the realtime server could not be reached");
    }
  },
};

import { Beacon } from "../../src/beacon/beacon";
import type { Handled } from "../../src/beacon/state/connection";
import worker from "../../src/index";
import { INSTANCE_PATH } from "./instance-path";

// The production Worker's other Durable Objects, bound as wrangler.jsonc binds them.
export { Hub, StatsRegistry } from "../../src/index";

/**
 * Sower as the campaign hosts it: the production Worker, and a Beacon that
 * can say when its instance was constructed, so the campaign can tell that
 * an idle object really was evicted and woken again. Only the campaign
 * builds this entry.
 */
export default {
  async fetch(request, env, context) {
    // The request line may hold a target that is no URL at all ("*"): that is Sower's to answer.
    if (!URL.canParse(request.url) || new URL(request.url).pathname !== INSTANCE_PATH) {
      return worker.fetch(request, env, context);
    }
    // A stub made per request holds the object no longer than the request; one kept open would prevent eviction.
    const beacon = env.BEACON.getByName(env.APP_ID ?? "") as unknown as Pick<SoakBeacon, "instanceStartedAt">;
    return new Response(String(await beacon.instanceStartedAt()));
  },
} satisfies ExportedHandler<Env>;

/**
 * The local runtime drops an exception thrown out of a socket or alarm
 * handler without a word (Cloudflare's logs would show it), so this Beacon
 * logs one as an error line before passing it on, where the campaign
 * counts it.
 */
export class SoakBeacon extends Beacon {
  private readonly startedAt = Date.now();

  instanceStartedAt(): number {
    return this.startedAt;
  }

  override webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Handled {
    return reported("webSocketMessage", () => super.webSocketMessage(ws, message));
  }

  override webSocketClose(ws: WebSocket, code: number): Promise<void> {
    return reported("webSocketClose", () => super.webSocketClose(ws, code));
  }

  override webSocketError(ws: WebSocket, error: unknown): Promise<void> {
    return reported("webSocketError", () => super.webSocketError(ws, error));
  }

  override alarm(): Promise<void> {
    return reported("alarm", () => super.alarm());
  }
}

function reported<T extends Handled>(handler: string, run: () => T): T {
  const report = (error: unknown): never => {
    console.error(JSON.stringify({ level: "error", message: `uncaught in ${handler}`, error: String(error) }));
    throw error;
  };
  try {
    const result = run();
    return result instanceof Promise ? (result.catch(report) as T) : result;
  } catch (error) {
    return report(error);
  }
}

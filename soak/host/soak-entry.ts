import { Beacon } from "../../src/beacon/beacon";
import worker from "../../src/index";
import { INSTANCE_PATH } from "./instance-path";

/**
 * Sower as the campaign hosts it: the production Worker, and a Beacon that
 * can say when its instance was constructed, so the campaign can tell that
 * an idle object really was evicted and woken again. Only the campaign
 * builds this entry.
 */
export default {
  async fetch(request, env) {
    // The request line may hold a target that is no URL at all ("*"): that is Sower's to answer.
    if (!URL.canParse(request.url) || new URL(request.url).pathname !== INSTANCE_PATH) {
      return worker.fetch(request, env);
    }
    // A stub made per request holds the object no longer than the request; one kept open would prevent eviction.
    const beacon = env.BEACON.getByName(env.APP_ID ?? "") as unknown as Pick<SoakBeacon, "instanceStartedAt">;
    return new Response(String(await beacon.instanceStartedAt()));
  },
} satisfies ExportedHandler<Env>;

export class SoakBeacon extends Beacon {
  private readonly startedAt = Date.now();

  instanceStartedAt(): number {
    return this.startedAt;
  }
}

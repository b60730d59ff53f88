import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import type { Beacon } from "../../../src/beacon/beacon";

/**
 * Hibernates a Beacon as the runtime does: its instance is torn down and its
 * sockets stay, but only once the writes the runtime would wait for are done
 * (see Beacon.settleWrites).
 */
export async function hibernate(stub: DurableObjectStub<Beacon>): Promise<void> {
  await runInDurableObject(stub, (beacon: Beacon) => beacon.settleWrites());
  await evictDurableObject(stub, { webSockets: "hibernate" });
}

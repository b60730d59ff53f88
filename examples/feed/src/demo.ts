import { backendSdk, sowerForRun } from "../../shared/sower.ts";
import { startPublisher } from "./publisher.ts";
import type { Tick } from "./tick.ts";
import { type Viewer, watchTicker } from "./viewer.ts";

/**
 * `npm run example:feed`: one simulated price source publishing twice a second
 * into a Sower (a local one unless SOWER_* is set), and viewers that come and
 * go; a late viewer sees the last price at once. Runs for about 15 seconds.
 */
const SYMBOL = "ACME";
const { sower, stop: stopSower } = await sowerForRun();
console.log(`Sower at ${sower.host}:${sower.port}; ticker channel cache-ticker-${SYMBOL}`);
const publisher = startPublisher({ pusher: backendSdk(sower), symbol: SYMBOL, rate: 2 });

const viewers: Viewer[] = [];
async function join(name: string): Promise<Viewer> {
  console.log(`${name} joins`);
  const joined = Date.now();
  let first = true;
  const viewer = watchTicker(sower, SYMBOL, (tick: Tick) => {
    const note = first ? ` (first tick, ${Date.now() - joined} ms after joining)` : "";
    first = false;
    console.log(`  ${name.padEnd(6)} #${tick.seq} ${tick.symbol} ${tick.price.toFixed(2)}${note}`);
  });
  viewers.push(viewer);
  await viewer.subscribed;
  return viewer;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
try {
  const ada = await join("ada");
  await join("bo");
  await pause(4000);
  ada.leave();
  console.log("ada left");
  await pause(3000);
  // Joins between two ticks: Sower's cache hands over the last price straight away.
  await pause(250);
  await join("cleo");
  await pause(6000);
} finally {
  const published = await publisher.stop();
  for (const viewer of viewers) viewer.leave();
  await stopSower();
  console.log(`\nThe source published ${published} updates, one trigger each, whoever was watching.`);
}

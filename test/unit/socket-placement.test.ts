import { describe, expect, it, vi } from "vitest";
import { capacityProblem, OBJECT_SOCKET_CAP } from "../../src/beacon/sockets";
import type { Placement } from "../../src/config/placement";
import { firstShard, hubName, isSharded, objectOf, shardsOf } from "../../src/contract/objects";
import { clientPoint, nearestRegion } from "../../src/placement/nearest-region";
import { shardForSocket } from "../../src/placement/socket-shard";

function placed(placement?: Placement) {
  return placement === undefined ? { id: "shop" } : { id: "shop", placement };
}

describe("an app's shards", () => {
  it("are the app's one Beacon, named by its id, when the app is not sharded", () => {
    expect(shardsOf(placed())).toEqual([{ name: "shop" }]);
    expect(shardsOf(placed({ shards: 1, regions: [] }))).toEqual([{ name: "shop" }]);
    expect(shardsOf(placed({ shards: 1, regions: ["weur"] }))).toEqual([{ name: "shop", region: "weur" }]);
    expect(isSharded(placed({ shards: 1, regions: [] }))).toBe(false);
  });

  it("are dealt to the named regions in turn, each region in its shards' names", () => {
    expect(shardsOf(placed({ shards: 5, regions: ["weur", "enam"] }))).toEqual([
      { name: "shop/shard/weur/0", region: "weur" },
      { name: "shop/shard/enam/1", region: "enam" },
      { name: "shop/shard/weur/2", region: "weur" },
      { name: "shop/shard/enam/3", region: "enam" },
      { name: "shop/shard/weur/4", region: "weur" },
    ]);
    expect(shardsOf(placed({ shards: 2, regions: [] }))).toEqual([{ name: "shop/shard/0" }, { name: "shop/shard/1" }]);
    expect(isSharded(placed({ shards: 2, regions: [] }))).toBe(true);
  });

  it("never share a name with a channel hub", () => {
    expect(hubName("shop", "presence-room")).toBe("shop/channel/presence-room");
    expect(shardsOf(placed({ shards: 3, regions: [] })).map((shard) => shard.name)).not.toContain(hubName("shop", "0"));
  });
});

describe("where a socket goes", () => {
  const app = placed({ shards: 4, regions: ["weur", "enam"] });

  it("is a shard of the region nearest the client's coordinates, picked at random within it", () => {
    const paris = { latitude: "48.85", longitude: "2.35", continent: "EU", country: "FR" };
    expect(shardForSocket(app, paris, 0).name).toBe("shop/shard/weur/0");
    expect(shardForSocket(app, paris, 0.99).name).toBe("shop/shard/weur/2");
    const boston = { latitude: "42.36", longitude: "-71.06", continent: "NA", country: "US" };
    expect(shardForSocket(app, boston, 0.5).name).toBe("shop/shard/enam/3");
  });

  it("falls back to the client's continent, then to any shard when the request says nothing", () => {
    expect(shardForSocket(app, { continent: "NA" }, 0).name).toBe("shop/shard/enam/1");
    expect(shardForSocket(app, { continent: "AF" }, 0).name).toBe("shop/shard/weur/0");
    expect(shardForSocket(app, undefined, 0.3).name).toBe("shop/shard/enam/1");
    expect(shardForSocket(app, { latitude: "not a number", longitude: "" }, 0.8).name).toBe("shop/shard/enam/3");
  });

  it("maps each continent, and the Middle East by country, to the hint Cloudflare serves it from", () => {
    const all = ["wnam", "enam", "sam", "weur", "eeur", "apac", "oc", "afr", "me"] as const;
    const nearest = (cf: Record<string, string>) => {
      const point = clientPoint(cf);
      return point === undefined ? undefined : nearestRegion(point, all);
    };
    expect(nearest({ continent: "SA" })).toBe("sam");
    expect(nearest({ continent: "EU" })).toBe("weur");
    expect(nearest({ continent: "OC" })).toBe("oc");
    expect(nearest({ continent: "AS", country: "JP" })).toBe("apac");
    expect(nearest({ continent: "AS", country: "AE" })).toBe("me");
    expect(nearest({ continent: "AF", country: "EG" })).toBe("me");
    expect(nearest({ latitude: "47.6", longitude: "-122.3" })).toBe("wnam");
    expect(nearest({ latitude: "52.5", longitude: "21.0" })).toBe("eeur");
    expect(nearest({ continent: "XX" })).toBeUndefined();
  });

  it("spreads sockets over every shard of a region", () => {
    const seen = new Set<string>();
    for (let step = 0; step < 10; step++) seen.add(shardForSocket(app, { continent: "EU" }, step / 10).name);
    expect([...seen].sort()).toEqual(["shop/shard/weur/0", "shop/shard/weur/2"]);
  });
});

describe("an app's objects", () => {
  function fakeNamespace(jurisdictionError?: string) {
    const calls: string[] = [];
    const namespace = {
      getByName: vi.fn((name: string, options?: { locationHint?: string }) => {
        calls.push(`${name}${options?.locationHint ? ` @${options.locationHint}` : ""}`);
        return { name };
      }),
      jurisdiction: vi.fn((jurisdiction: string) => {
        if (jurisdictionError !== undefined) throw new Error(jurisdictionError);
        calls.push(`in ${jurisdiction}:`);
        return namespace;
      }),
    };
    return { calls, namespace: namespace as unknown as DurableObjectNamespace<undefined> };
  }

  it("are addressed exactly as before for an app with no placement: its id, no hint, no jurisdiction", () => {
    const { calls, namespace } = fakeNamespace();
    firstShard(namespace, { id: "shop" });
    expect(calls).toEqual(["shop"]);
  });

  it("are created in the app's jurisdiction, with their region as the location hint", () => {
    const { calls, namespace } = fakeNamespace();
    const placement: Placement = { shards: 1, regions: ["weur"], jurisdiction: "eu" };
    firstShard(namespace, { id: "shop", placement });
    objectOf(namespace, placement, hubName("shop", "room"));
    expect(calls).toEqual(["in eu:", "shop @weur", "in eu:", "shop/channel/room"]);
  });

  it("fall back to the plain namespace only where the local runtime has no jurisdictions", () => {
    const local = fakeNamespace("Jurisdiction restrictions are not implemented in workerd.");
    objectOf(local.namespace, { shards: 1, regions: [], jurisdiction: "eu" }, "shop");
    expect(local.calls).toEqual(["shop"]);
    const broken = fakeNamespace("something else");
    expect(() => objectOf(broken.namespace, { shards: 1, regions: [], jurisdiction: "eu" }, "shop")).toThrow(
      "something else",
    );
  });
});

describe("the capacity of one object", () => {
  it("is the app's max_connections, then a cap below the platform's 32,768 sockets", () => {
    expect(OBJECT_SOCKET_CAP).toBeLessThan(32_768);
    expect(capacityProblem(null, OBJECT_SOCKET_CAP - 1)).toBeUndefined();
    expect(capacityProblem(null, OBJECT_SOCKET_CAP)).toBe(
      `Over capacity: this server holds at most ${OBJECT_SOCKET_CAP} connections`,
    );
    expect(capacityProblem(2, 2)).toBe("Over capacity: this app allows at most 2 connections");
    expect(capacityProblem(2, 1)).toBeUndefined();
  });
});

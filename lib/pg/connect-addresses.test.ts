import { describe, expect, test } from "vitest";
import { DEFAULT_PEER_DENY } from "@/lib/config/env";
import { type AddressRules, checkPeerAddress, PeerAddressRefusedError, parseAddressRules, refusal } from "@/lib/pg/connect-addresses";

function rules(deny = DEFAULT_PEER_DENY, allow = "", catalog: AddressRules["catalog"] = null): AddressRules {
  return { allow: parseAddressRules(allow, "PGFERRY_PEER_ALLOW"), deny: parseAddressRules(deny, "PGFERRY_PEER_DENY"), catalog };
}

async function refusedWith(host: string, port: number, given: AddressRules): Promise<string> {
  const error = await checkPeerAddress({ host, port }, given).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PeerAddressRefusedError);
  return (error as Error).message;
}

describe("peer address rules", () => {
  test("deny link-local (cloud metadata) by default, also written as an IPv4-mapped IPv6 address", async () => {
    expect(await refusedWith("169.254.169.254", 80, rules())).toBe(
      'Connections to "169.254.169.254" are not allowed: the address 169.254.169.254 is denied by PGFERRY_PEER_DENY.',
    );
    expect(await refusedWith("::ffff:169.254.169.254", 80, rules())).toMatch(/denied/);
    expect(await refusedWith("fe80::1", 5432, rules())).toMatch(/denied/);
    expect(await checkPeerAddress({ host: "10.1.2.3", port: 5432 }, rules())).toEqual([{ address: "10.1.2.3", family: 4 }]);
    expect(await checkPeerAddress({ host: "169.254.169.254", port: 80 }, rules("none"))).toHaveLength(1);
  });

  test("deny the catalog's own host and port, loopback addresses counting as one host", async () => {
    const withCatalog = rules(DEFAULT_PEER_DENY, "", { host: "127.0.0.1", port: 54329 });
    expect(await refusedWith("127.0.0.1", 54329, withCatalog)).toMatch(/pgferry's own catalog server is denied/);
    expect(await refusedWith("::1", 54329, withCatalog)).toMatch(/catalog/);
    expect(await refusedWith("localhost", 54329, withCatalog)).toMatch(/catalog/);
    expect(await checkPeerAddress({ host: "127.0.0.1", port: 54330 }, withCatalog)).toHaveLength(1);
  });

  test("with an allow list, every resolved address must be in it", async () => {
    const only = rules(DEFAULT_PEER_DENY, "10.0.0.0/8, db.example.com, *.internal");
    expect(await checkPeerAddress({ host: "10.20.30.40", port: 5432 }, only)).toHaveLength(1);
    expect(await refusedWith("192.168.1.5", 5432, only)).toMatch(/192\.168\.1\.5 is not in PGFERRY_PEER_ALLOW/);
    // "localhost" resolves to loopback addresses, none of them in 10.0.0.0/8.
    expect(await refusedWith("localhost", 5432, only)).toMatch(/not in PGFERRY_PEER_ALLOW/);
    // Deny wins over allow.
    expect(await refusedWith("169.254.1.1", 5432, rules(DEFAULT_PEER_DENY, "169.254.0.0/16"))).toMatch(/denied/);
  });

  test("check every address a name resolves to", () => {
    const peer = { host: "db.example.com", port: 5432 };
    const v4 = (address: string) => ({ address, family: 4 as const });
    expect(refusal(peer, [v4("10.1.1.1"), v4("169.254.169.254")], [], rules())).toBe("its address 169.254.169.254 is denied by PGFERRY_PEER_DENY.");
    const only10 = rules(DEFAULT_PEER_DENY, "10.0.0.0/8");
    expect(refusal(peer, [v4("10.1.1.1"), v4("192.168.0.1")], [], only10)).toBe("its address 192.168.0.1 is not in PGFERRY_PEER_ALLOW.");
    expect(refusal(peer, [v4("10.1.1.1"), v4("10.2.2.2")], [], only10)).toBeNull();
    // A name on the allow list is allowed whatever it resolves to, except what is denied.
    expect(refusal(peer, [v4("192.168.0.1")], [], rules(DEFAULT_PEER_DENY, "*.example.com"))).toBeNull();
    expect(refusal(peer, [v4("169.254.1.1")], [], rules(DEFAULT_PEER_DENY, "*.example.com"))).toMatch(/denied/);
  });

  test("refuse unix-socket paths unless the folder is allowed", async () => {
    expect(await refusedWith("/var/run/postgresql", 5432, rules())).toMatch(/unix sockets are refused/);
    expect(await checkPeerAddress({ host: "/var/run/postgresql/", port: 5432 }, rules(DEFAULT_PEER_DENY, "/var/run/postgresql"))).toEqual([]);
  });

  test("a malformed entry is an error naming the variable", () => {
    expect(() => parseAddressRules("10.0.0.0/33", "PGFERRY_PEER_DENY")).toThrow(/PGFERRY_PEER_DENY: "10.0.0.0\/33" is not a valid CIDR/);
    expect(() => parseAddressRules("http://x", "PGFERRY_PEER_ALLOW")).toThrow(/PGFERRY_PEER_ALLOW/);
  });
});

import { lookup } from "node:dns/promises";
import net from "node:net";
import { peerAddressEnv } from "@/lib/config/env";
import { FixableError } from "@/lib/errors/fixable-error";

/**
 * Where pgferry may open connections to peers (PGFERRY_PEER_ALLOW / PGFERRY_PEER_DENY), checked
 * on every address a peer's host resolves to before connecting, so that a peer cannot be pointed
 * at the cloud metadata service, at pgferry's own catalog, or at anything an operator has ruled out.
 */

/** One address a host name resolved to (dns.lookup's shape). */
export interface ResolvedPeerAddress {
  address: string;
  family: 4 | 6;
}

/** An entry of PGFERRY_PEER_ALLOW or PGFERRY_PEER_DENY. */
export type AddressRule =
  | { kind: "network"; list: net.BlockList; text: string }
  | { kind: "name"; name: string; suffix: boolean }
  | { kind: "socket"; path: string }
  | { kind: "catalog" };

export interface AddressRules {
  /** Empty: everything not denied is allowed. */
  allow: AddressRule[];
  deny: AddressRule[];
  /** The catalog's host and port, for `@catalog`; null when DATABASE_URL is unset or names a socket. */
  catalog: { host: string; port: number } | null;
}

/** A peer's host or address that the rules refuse. Safe to show: it names only what the user typed. */
export class PeerAddressRefusedError extends Error {
  readonly code = "pgferry_address_refused";
  constructor(
    readonly host: string,
    readonly reason: string,
  ) {
    super(`Connections to "${host}" are not allowed: ${reason}`);
    this.name = "PeerAddressRefusedError";
  }
}

/** Parses a comma-separated list; throws an Error naming a malformed entry. Pure. */
export function parseAddressRules(list: string | undefined, variable: string): AddressRule[] {
  const entries = (list ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (entries.length === 1 && entries[0].toLowerCase() === "none") return [];
  return entries.map((entry) => parseRule(entry, variable));
}

function parseRule(entry: string, variable: string): AddressRule {
  if (entry === "@catalog") return { kind: "catalog" };
  if (entry.startsWith("/")) return { kind: "socket", path: trimSlash(entry) };
  const [address, prefixText, extra] = entry.split("/");
  const family = net.isIP(address);
  if (family) {
    const bits = family === 4 ? 32 : 128;
    const prefix = prefixText === undefined ? bits : Number(prefixText);
    if (extra !== undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > bits) {
      throw new Error(`${variable}: "${entry}" is not a valid CIDR (e.g. 10.0.0.0/8 or fd00::/8)`);
    }
    const list = new net.BlockList();
    list.addSubnet(address, prefix, family === 4 ? "ipv4" : "ipv6");
    return { kind: "network", list, text: entry };
  }
  const name = normaliseName(entry);
  const suffix = name.startsWith("*.");
  const bare = suffix ? name.slice(2) : name;
  if (prefixText !== undefined || !/^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$/.test(bare)) {
    throw new Error(`${variable}: "${entry}" is neither a CIDR, an address, a host name (db.example.com, *.example.com) nor a socket folder`);
  }
  return { kind: "name", name: bare, suffix };
}

/** The rules from the environment (see lib/config/env.ts). Throws a FixableError for a malformed entry. */
export function addressRulesFromEnv(): AddressRules {
  const settings = peerAddressEnv();
  try {
    return {
      allow: parseAddressRules(settings.PGFERRY_PEER_ALLOW, "PGFERRY_PEER_ALLOW"),
      deny: parseAddressRules(settings.PGFERRY_PEER_DENY, "PGFERRY_PEER_DENY"),
      catalog: catalogEndpoint(settings.DATABASE_URL),
    };
  } catch (error) {
    // No peer can be checked, so none is connected to until the setting is fixed.
    throw new FixableError((error as Error).message, "pgferry_config", "Fix the setting in pgferry's environment and restart it.");
  }
}

function catalogEndpoint(url: string | undefined): AddressRules["catalog"] {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    const host = parsed.hostname.replace(/^\[|\]$/g, "");
    if (!host) return null;
    return { host, port: parsed.port ? Number(parsed.port) : 5432 };
  } catch {
    return null;
  }
}

export interface PeerEndpoint {
  host: string;
  port: number;
}

/**
 * Resolves the peer's host and checks it and every address it resolves to against the rules.
 * Resolves to the addresses to connect to (empty for a unix socket, which has none); rejects
 * with PeerAddressRefusedError, or with the lookup's own error (ENOTFOUND, …) when the name does
 * not resolve. Reads DNS; otherwise no side effects.
 */
export async function checkPeerAddress(peer: PeerEndpoint, rules: AddressRules = addressRulesFromEnv()): Promise<ResolvedPeerAddress[]> {
  if (peer.host.startsWith("/")) {
    const folder = trimSlash(peer.host);
    const allowed = rules.allow.some((rule) => rule.kind === "socket" && rule.path === folder);
    if (!allowed) throw new PeerAddressRefusedError(peer.host, "unix sockets are refused unless PGFERRY_PEER_ALLOW lists the folder.");
    return [];
  }
  const addresses = await resolve(peer.host);
  const catalogAddresses = rules.catalog && peer.port === rules.catalog.port ? await resolve(rules.catalog.host).catch(() => []) : [];
  const reason = refusal(peer, addresses, catalogAddresses, rules);
  if (reason) throw new PeerAddressRefusedError(peer.host, reason);
  return addresses;
}

/**
 * Why the rules refuse a peer whose host resolved to `addresses` (all of them are checked), or
 * null when they allow it. `catalogAddresses`: the catalog host's addresses when the peer's port is
 * the catalog's, else empty. Pure.
 */
export function refusal(peer: PeerEndpoint, addresses: ResolvedPeerAddress[], catalogAddresses: ResolvedPeerAddress[], rules: AddressRules): string | null {
  const denied = firstMatch(rules.deny, peer, addresses, catalogAddresses);
  if (denied) return `${denied} is denied by PGFERRY_PEER_DENY.`;
  if (!rules.allow.length) return null;
  if (rules.allow.some((rule) => rule.kind === "name" && nameMatches(rule, peer.host))) return null;
  const outside = addresses.find((a) => !rules.allow.some((rule) => rule.kind === "network" && inNetwork(rule, a)));
  return outside ? `${describeAddress(peer.host, outside)} is not in PGFERRY_PEER_ALLOW.` : null;
}

/** What in `rules` the peer matches, described for the user, or null. */
function firstMatch(rules: AddressRule[], peer: PeerEndpoint, addresses: ResolvedPeerAddress[], catalogAddresses: ResolvedPeerAddress[]): string | null {
  for (const rule of rules) {
    if (rule.kind === "name" && nameMatches(rule, peer.host)) return `the host name "${peer.host}"`;
    if (rule.kind === "network") {
      const hit = addresses.find((a) => inNetwork(rule, a));
      if (hit) return describeAddress(peer.host, hit);
    }
    if (rule.kind === "catalog" && catalogAddresses.length) {
      const same = addresses.some((a) => catalogAddresses.some((c) => sameHost(a, c)));
      if (same) return "pgferry's own catalog server";
    }
  }
  return null;
}

async function resolve(host: string): Promise<ResolvedPeerAddress[]> {
  const family = net.isIP(host);
  if (family) return [{ address: host, family: family as 4 | 6 }];
  const found = await lookup(host, { all: true, verbatim: true });
  return found.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
}

function inNetwork(rule: Extract<AddressRule, { kind: "network" }>, a: ResolvedPeerAddress): boolean {
  const plain = unmapped(a);
  return rule.list.check(plain.address, plain.family === 4 ? "ipv4" : "ipv6");
}

/** Loopback addresses all reach the same machine, so they count as one host. */
function sameHost(a: ResolvedPeerAddress, b: ResolvedPeerAddress): boolean {
  const x = unmapped(a);
  const y = unmapped(b);
  return x.address === y.address || (isLoopback(x) && isLoopback(y));
}

function isLoopback(a: ResolvedPeerAddress): boolean {
  return a.family === 4 ? a.address.startsWith("127.") : a.address === "::1";
}

/** ::ffff:169.254.169.254 is an IPv4 address; check it as one. */
function unmapped(a: ResolvedPeerAddress): ResolvedPeerAddress {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(a.address);
  return mapped ? { address: mapped[1], family: 4 } : a;
}

function nameMatches(rule: Extract<AddressRule, { kind: "name" }>, host: string): boolean {
  const name = normaliseName(host);
  return rule.suffix ? name.endsWith(`.${rule.name}`) : name === rule.name;
}

function describeAddress(host: string, a: ResolvedPeerAddress): string {
  return net.isIP(host) ? `the address ${a.address}` : `its address ${a.address}`;
}

function normaliseName(name: string): string {
  return name.toLowerCase().replace(/\.$/, "");
}

function trimSlash(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, "") : path;
}

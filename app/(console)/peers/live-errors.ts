"use client";

import { useEffect, useRef, useState } from "react";
import { fieldErrors } from "@/lib/errors/field-errors";
import { peerCreateSchema } from "@/lib/peers/input";
import type { PeerCheck } from "@/lib/web/peers/validate-checks";

/** Default: fields are checked 400 ms after the last keystroke, so a half-typed port is not called wrong. */
const CHECK_DELAY_MS = 400;

/** The peer schema's complaints about the form's values, by field (the same schema the server parses with). */
export function peerFieldErrors(values: Record<string, unknown>): Record<string, string> {
  const parsed = peerCreateSchema.safeParse(values);
  return parsed.success ? {} : fieldErrors(parsed.error);
}

/**
 * Checks the fields as the user types, debounced, and reports only the fields the user has
 * changed: an untouched empty form is not a wall of red. `values` must be a new object on every
 * change (React state is).
 */
export function useLiveFieldErrors<Values extends Record<string, unknown>>(values: Values, check: (values: Values) => Record<string, string>, delayMs = CHECK_DELAY_MS) {
  const initial = useRef(values);
  const [live, setLive] = useState<Record<string, string>>({});
  useEffect(() => {
    const timer = setTimeout(() => {
      const all = check(values);
      setLive(Object.fromEntries(Object.entries(all).filter(([field]) => values[field] !== initial.current[field])));
    }, delayMs);
    return () => clearTimeout(timer);
  }, [values, check, delayMs]);
  // A field the user is fixing loses its complaint at once, not after the delay.
  return Object.fromEntries(Object.entries(live).filter(([field]) => check(values)[field] !== undefined));
}

/** The peer form's fields, in the order they appear: a message meant for several fields goes under the first. */
const FIELD_ORDER = ["name", "host", "port", "database", "user", "password", "tlsMode", "caCert", "allowCleartextPassword"];

/**
 * The server names every field at fault for a connection error (host and port for an unreachable
 * server) with the same text; the form shows that text once, under the first of them, and the
 * others are only marked (an empty message: red border, no text).
 */
export function onceAtField(fields: Record<string, string>): Record<string, string> {
  const seen = new Set<string>();
  const result: Record<string, string> = {};
  const ordered = Object.keys(fields).sort((a, b) => rank(a) - rank(b));
  for (const field of ordered) {
    const text = fields[field];
    result[field] = seen.has(text) ? "" : text;
    seen.add(text);
  }
  return result;
}

function rank(field: string): number {
  const index = FIELD_ORDER.indexOf(field);
  return index === -1 ? FIELD_ORDER.length : index;
}

/**
 * The validation checklist without the message the form already shows at a field: the failed
 * check then points to that field instead of repeating it (a wrong port is said once).
 */
export function checksWithoutRepeats(checks: PeerCheck[], shownAtFields: Record<string, string>): PeerCheck[] {
  const shown = Object.entries(shownAtFields).filter(([, text]) => text);
  return checks.map((check) => {
    if (check.status === "pass") return check;
    const at = shown.find(([, text]) => text === check.message || text.startsWith(`${check.message} `));
    if (!at) return check;
    return { ...check, message: `See the ${LABELS[at[0]] ?? at[0]} field.`, fix: undefined };
  });
}

const LABELS: Record<string, string> = { name: "Name", host: "Host", port: "Port", database: "Database", user: "User", password: "Password", tlsMode: "TLS mode", caCert: "CA certificate" };

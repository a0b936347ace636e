"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

/**
 * What a detail page shows when the thing in its URL does not exist: the name asked for (read
 * from the path, since Next.js gives not-found pages no params) and the way back to the list.
 */
export function NotFoundPanel({ kind, listHref, listLabel }: { kind: string; listHref: string; listLabel: string }) {
  const pathname = usePathname() ?? "";
  const asked = lastSegment(pathname, listHref);
  return (
    <section className="mx-auto max-w-xl rounded-lg border border-slate-200 bg-white px-6 py-10 text-center" data-testid="not-found">
      <p className="text-sm font-medium text-slate-600">404 · not found</p>
      <h1 className="mt-2 text-xl font-semibold [overflow-wrap:anywhere]">
        {asked ? (
          <>
            No {kind} named <span className="font-mono">{asked}</span>
          </>
        ) : (
          `No such ${kind}`
        )}
      </h1>
      <p className="mt-2 text-sm text-slate-600">It may have been deleted, or the address has a typo.</p>
      <Link href={listHref} className="mt-6 inline-block rounded-md bg-sky-700 px-4 py-2 text-sm font-medium text-white hover:bg-sky-800">
        Back to {listLabel}
      </Link>
    </section>
  );
}

/** The path segment right after the list's path (`/mirrors/<name>/…` gives `<name>`), decoded. */
function lastSegment(pathname: string, listHref: string): string | null {
  if (!pathname.startsWith(`${listHref}/`)) return null;
  const segment = pathname.slice(listHref.length + 1).split("/")[0];
  if (!segment) return null;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

"use client";

import Link from "next/link";
import { useEffect } from "react";

/**
 * What a console page shows when rendering it failed: the server's message is hidden in production
 * (Next.js sends only a digest), so the panel says what could not be shown, offers a retry and the
 * way back, and gives the digest to match against the web process's log.
 */
export function ErrorPanel({ what, error, retry, listHref, listLabel }: { what: string; error: unknown; retry: () => void; listHref: string; listLabel: string }) {
  useEffect(() => {
    console.error(error);
  }, [error]);
  const digest = error instanceof Error && "digest" in error ? String((error as Error & { digest?: string }).digest ?? "") : "";
  return (
    <section role="alert" className="mx-auto max-w-xl rounded-lg border border-red-200 bg-white px-6 py-10 text-center" data-testid="page-error">
      <h1 className="text-xl font-semibold">Could not show {what}</h1>
      <p className="mt-2 text-sm text-slate-600">
        pgferry hit an error while loading this page. It may be temporary (the catalog restarting, a peer not answering): try again.
      </p>
      {digest && <p className="mt-2 text-xs text-slate-600">Error reference <code>{digest}</code> (look for it in the pgferry log).</p>}
      <div className="mt-6 flex flex-wrap justify-center gap-3">
        <button type="button" onClick={() => retry()} className="rounded-md bg-sky-700 px-4 py-2 text-sm font-medium text-white hover:bg-sky-800">
          Try again
        </button>
        <Link href={listHref} className="rounded-md border border-slate-300 px-4 py-2 text-sm font-medium text-slate-700 hover:bg-slate-50">
          Back to {listLabel}
        </Link>
      </div>
    </section>
  );
}

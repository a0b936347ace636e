import type { Metadata } from "next";
import Link from "next/link";

export const metadata: Metadata = { title: "Not found" };

/** Any address the console does not have (detail pages have their own, naming what was asked for). */
export default function NotFound() {
  return (
    <main className="flex min-h-screen items-center justify-center p-6">
      <section className="max-w-md rounded-lg border border-slate-200 bg-white px-6 py-10 text-center" data-testid="not-found">
        <p className="text-sm font-medium text-slate-600">404 · not found</p>
        <h1 className="mt-2 text-xl font-semibold">There is no page at this address</h1>
        <p className="mt-2 text-sm text-slate-600">Mirrors and peers each have a list to start from.</p>
        <div className="mt-6 flex flex-wrap justify-center gap-3">
          <Link href="/mirrors" className="rounded-md bg-sky-700 px-4 py-2 text-sm font-medium text-white hover:bg-sky-800">
            Mirrors
          </Link>
          <Link href="/peers" className="rounded-md border border-slate-300 px-4 py-2 text-sm font-medium text-slate-700 hover:bg-slate-50">
            Peers
          </Link>
        </div>
      </section>
    </main>
  );
}

import Link from "next/link";
import { NavLinks } from "./NavLinks";
import { SignOutButton } from "./SignOutButton";
import { WorkerBadge } from "./WorkerBadge";

/** One row from tablet width up; on a phone the navigation moves to a second row so nothing wraps mid-word. */
export function AppHeader() {
  return (
    <header className="border-b border-slate-200 bg-white">
      <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-4 gap-y-1 px-4 py-2 sm:flex-nowrap sm:gap-6 sm:px-6 sm:py-3">
        <Link href="/mirrors" className="text-lg font-semibold tracking-tight text-sky-700">
          pgferry
        </Link>
        <div className="order-last -ml-2 w-full sm:order-none sm:ml-0 sm:w-auto">
          <NavLinks />
        </div>
        <div className="ml-auto flex items-center gap-3 sm:gap-4">
          <WorkerBadge />
          <SignOutButton />
        </div>
      </div>
    </header>
  );
}

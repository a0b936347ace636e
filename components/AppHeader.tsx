import Link from "next/link";
import { SignOutButton } from "./SignOutButton";
import { WorkerBadge } from "./WorkerBadge";

const NAV = [
  { href: "/mirrors", label: "Mirrors" },
  { href: "/peers", label: "Peers" },
  { href: "/settings", label: "Settings" },
];

export function AppHeader() {
  return (
    <header className="border-b border-slate-200 bg-white">
      <div className="mx-auto flex max-w-6xl items-center gap-6 px-6 py-3">
        <Link href="/mirrors" className="text-lg font-semibold tracking-tight text-sky-700">
          pgferry
        </Link>
        <nav className="flex gap-4 text-sm font-medium">
          {NAV.map((item) => (
            <Link key={item.href} href={item.href} className="text-slate-600 hover:text-slate-900">
              {item.label}
            </Link>
          ))}
        </nav>
        <div className="ml-auto flex items-center gap-4">
          <WorkerBadge />
          <SignOutButton />
        </div>
      </div>
    </header>
  );
}

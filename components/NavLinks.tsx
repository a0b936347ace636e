"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

const NAV = [
  { href: "/mirrors", label: "Mirrors" },
  { href: "/peers", label: "Peers" },
  { href: "/settings", label: "Settings" },
];

/** The console's sections; the one the page belongs to is marked `aria-current="page"` and underlined. */
export function NavLinks() {
  const pathname = usePathname() ?? "";
  return (
    <nav aria-label="Main" className="flex gap-1 text-sm font-medium">
      {NAV.map((item) => {
        const current = pathname === item.href || pathname.startsWith(`${item.href}/`);
        return (
          <Link
            key={item.href}
            href={item.href}
            aria-current={current ? "page" : undefined}
            className={`rounded px-2 py-1 underline-offset-8 ${current ? "text-slate-900 underline decoration-sky-600 decoration-2" : "text-slate-600 hover:text-slate-900"}`}
          >
            {item.label}
          </Link>
        );
      })}
    </nav>
  );
}

import Link from "next/link";

/** The way back from a detail page to its list, above the page's title. */
export function BackLink({ href, label }: { href: string; label: string }) {
  return (
    <p className="mb-2 text-sm">
      <Link href={href} className="text-sky-700 hover:underline">
        ← {label}
      </Link>
    </p>
  );
}

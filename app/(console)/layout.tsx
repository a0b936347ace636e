import type { ReactNode } from "react";
import { AppHeader } from "@/components/AppHeader";

export default function ConsoleLayout({ children }: { children: ReactNode }) {
  return (
    <>
      <AppHeader />
      <main className="mx-auto max-w-6xl px-6 py-8">{children}</main>
    </>
  );
}

"use client";

import { useRouter } from "next/navigation";
import { sendJson } from "@/components/send-json";

export function SignOutButton() {
  const router = useRouter();
  async function signOut() {
    await sendJson("/api/auth/logout", "POST").catch(() => {});
    router.replace("/login");
    router.refresh();
  }
  return (
    <button onClick={signOut} className="text-sm text-slate-600 hover:text-slate-900">
      Sign out
    </button>
  );
}

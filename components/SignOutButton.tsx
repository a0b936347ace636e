"use client";

export function SignOutButton() {
  async function signOut() {
    await fetch("/api/auth/logout", { method: "POST" }).catch(() => {});
    window.location.assign("/login");
  }
  return (
    <button onClick={signOut} className="text-sm text-slate-600 hover:text-slate-900">
      Sign out
    </button>
  );
}

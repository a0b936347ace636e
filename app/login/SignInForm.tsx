"use client";

import { useRouter } from "next/navigation";
import type { FormEvent } from "react";
import { ErrorNote } from "@/components/ErrorNote";
import { sendJson } from "@/components/send-json";
import { useApiWrite } from "@/components/useApiWrite";

export function SignInForm({ next }: { next: string }) {
  const router = useRouter();
  const { pending, error, send } = useApiWrite();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const password = String(new FormData(event.currentTarget).get("password") ?? "");
    await send(
      () => sendJson("/api/auth/login", "POST", { password }),
      (response) => response.ok,
      () => {
        router.replace(next);
        router.refresh();
      },
    );
  }

  return (
    <form onSubmit={submit} className="mt-6 space-y-4">
      <label className="block">
        <span className="text-sm font-medium">Password</span>
        <input
          name="password"
          type="password"
          autoComplete="current-password"
          autoFocus
          required
          className="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 focus:border-sky-500 focus:outline-none focus:ring-1 focus:ring-sky-500"
        />
      </label>
      <ErrorNote message={error} />
      <button
        type="submit"
        disabled={pending}
        className="w-full rounded-md bg-sky-700 px-4 py-2 font-medium text-white hover:bg-sky-800 disabled:opacity-60"
      >
        {pending ? "Signing in…" : "Sign in"}
      </button>
    </form>
  );
}

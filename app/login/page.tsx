import type { Metadata } from "next";
import { safeNextPath } from "@/lib/web/auth/request-policy";
import { SignInForm } from "./SignInForm";

export const metadata: Metadata = { title: "Sign in" };

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const { next } = await searchParams;
  return (
    <main className="flex min-h-screen items-center justify-center p-6">
      <div className="w-full max-w-sm rounded-lg border border-slate-200 bg-white p-8 shadow-sm">
        <h1 className="text-2xl font-semibold">pgferry</h1>
        <p className="mt-1 text-sm text-slate-600">Sign in with the pgferry password.</p>
        <SignInForm next={safeNextPath(next)} />
      </div>
    </main>
  );
}

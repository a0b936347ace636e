"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { apiErrorMessage } from "@/components/api-error";
import { sendJson } from "@/components/send-json";

/** Validates the saved peer again; the page then shows the recorded result. */
export function RevalidateButton({ name }: { name: string }) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function revalidate() {
    setBusy(true);
    setError(null);
    const response = await sendJson(`/api/v1/peers/${encodeURIComponent(name)}/validate`, "POST").catch(() => null);
    if (!response?.ok) setError(await apiErrorMessage(response));
    else {
      const validation = await response.json();
      if (!validation.ok) setError(validation.error?.message ?? "pgferry cannot connect to this peer.");
    }
    router.refresh();
    setBusy(false);
  }

  return (
    <div className="flex items-center gap-3">
      {error && (
        <span role="alert" className="text-sm text-red-700">
          {error}
        </span>
      )}
      <button onClick={revalidate} disabled={busy} className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-50 disabled:opacity-60">
        {busy ? "Validating…" : "Validate again"}
      </button>
    </div>
  );
}

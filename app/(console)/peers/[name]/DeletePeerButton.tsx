"use client";

import { useRouter } from "next/navigation";
import { useRef, useState } from "react";
import { sendJson } from "@/components/send-json";

/** Delete with a confirmation dialog; shows the API's refusal (e.g. mirrors still use the peer). */
export function DeletePeerButton({ name, mirrors }: { name: string; mirrors: string[] }) {
  const router = useRouter();
  const dialog = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  function open() {
    setError(null);
    dialog.current?.showModal();
  }

  async function confirm() {
    setBusy(true);
    setError(null);
    const response = await sendJson(`/api/v1/peers/${encodeURIComponent(name)}`, "DELETE").catch(() => null);
    if (response?.status === 204) {
      dialog.current?.close();
      router.push("/peers");
      router.refresh();
      return;
    }
    const body = await response?.json().catch(() => null);
    setError(body?.error?.message ?? "Could not reach pgferry. Is it running?");
    setBusy(false);
  }

  return (
    <>
      <button onClick={open} className="rounded-md border border-red-200 bg-white px-4 py-2 text-sm font-medium text-red-700 hover:bg-red-50">
        Delete
      </button>
      <dialog
        ref={dialog}
        aria-labelledby="delete-title"
        className="m-auto w-full max-w-md rounded-lg border border-slate-200 p-0 shadow-xl backdrop:bg-slate-900/40"
      >
        <div className="p-6">
          <h2 id="delete-title" className="text-lg font-semibold">
            Delete peer {name}?
          </h2>
          <p className="mt-2 text-sm text-slate-600">
            pgferry forgets this connection and its stored password. Nothing on the database server changes.
          </p>
          {mirrors.length > 0 && (
            <p className="mt-2 text-sm text-amber-800">
              {mirrors.length === 1 ? "Mirror" : "Mirrors"} {mirrors.join(", ")} {mirrors.length === 1 ? "uses" : "use"} this peer: delete{" "}
              {mirrors.length === 1 ? "it" : "them"} first.
            </p>
          )}
          {error && (
            <p role="alert" className="mt-3 rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">
              {error}
            </p>
          )}
          <div className="mt-6 flex justify-end gap-3">
            <button onClick={() => dialog.current?.close()} className="rounded-md border border-slate-300 px-4 py-2 text-sm font-medium text-slate-700 hover:bg-slate-50">
              Cancel
            </button>
            <button onClick={confirm} disabled={busy} className="rounded-md bg-red-600 px-4 py-2 text-sm font-medium text-white hover:bg-red-700 disabled:opacity-60">
              {busy ? "Deleting…" : "Delete peer"}
            </button>
          </div>
        </div>
      </dialog>
    </>
  );
}

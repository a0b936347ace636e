"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { ConfirmDialog } from "@/components/ConfirmDialog";
import { sendJson } from "@/components/send-json";
import { useApiWrite } from "@/components/useApiWrite";

/** Delete with a confirmation dialog; shows the API's refusal (e.g. mirrors still use the peer). */
export function DeletePeerButton({ name, mirrors }: { name: string; mirrors: string[] }) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const { pending: busy, error, setError, send } = useApiWrite();

  function ask() {
    setError(null);
    setOpen(true);
  }

  async function confirm() {
    await send(
      () => sendJson(`/api/v1/peers/${encodeURIComponent(name)}`, "DELETE"),
      (response) => response.status === 204,
      () => {
        setOpen(false);
        router.push("/peers");
        router.refresh();
      },
    );
  }

  return (
    <>
      <button onClick={ask} className="rounded-md border border-red-200 bg-white px-4 py-2 text-sm font-medium text-red-700 hover:bg-red-50">
        Delete
      </button>
      <ConfirmDialog
        open={open}
        title={`Delete peer ${name}?`}
        confirmLabel="Delete peer"
        danger
        busy={busy}
        error={error}
        onConfirm={confirm}
        onCancel={() => setOpen(false)}
      >
        <p>pgferry forgets this connection and its stored password. Nothing on the database server changes.</p>
        {mirrors.length > 0 && (
          <p className="text-amber-800">
            {mirrors.length === 1 ? "Mirror" : "Mirrors"} {mirrors.join(", ")} {mirrors.length === 1 ? "uses" : "use"} this peer: delete{" "}
            {mirrors.length === 1 ? "it" : "them"} first.
          </p>
        )}
      </ConfirmDialog>
    </>
  );
}

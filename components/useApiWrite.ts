"use client";

import { useState } from "react";
import { apiErrorMessage } from "@/components/api-error";

/**
 * One write to the API whose success moves the user on (to another page, say): `pending` while it
 * runs and, after a success, until the page is replaced, so the button cannot send twice; on a
 * refusal or when pgferry cannot be reached, `error` holds what to tell the user.
 */
export function useApiWrite() {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  /** Sends `request`; runs `onSuccess` when `succeeded` accepts the answer, else shows the API's message. */
  async function send(request: () => Promise<Response>, succeeded: (response: Response) => boolean, onSuccess: () => void): Promise<void> {
    setPending(true);
    setError(null);
    const response = await request().catch(() => null);
    if (response && succeeded(response)) {
      onSuccess();
      return;
    }
    setError(await apiErrorMessage(response));
    setPending(false);
  }

  return { pending, error, setError, send };
}

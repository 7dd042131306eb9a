"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/button";

/** Disable an account (its sessions end at once and it cannot sign in) or enable it again. */
export function UserAccessButton({ uid, email, disabled }: { uid: string; email: string; disabled: boolean }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function toggle() {
    const question = disabled
      ? `Enable ${email} again?`
      : `Disable ${email}? Their sessions end now and they cannot sign in until enabled again.`;
    if (!window.confirm(question)) return;
    setPending(true);
    setError(null);
    const response = await fetch(`/api/console/users/${encodeURIComponent(uid)}/disabled`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ disabled: !disabled }),
    });
    setPending(false);
    if (!response.ok) {
      const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
      setError(body?.error?.message ?? "Could not change the account.");
      return;
    }
    router.refresh();
  }

  return (
    <div>
      <Button type="button" variant="secondary" size="sm" onClick={() => void toggle()} disabled={pending}>
        {disabled ? "Enable" : "Disable"}
      </Button>
      {error && (
        <p className="mt-1 text-xs text-red-700" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

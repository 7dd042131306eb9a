"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { Select } from "@/components/ui/input";

/** Change a user's role after a confirmation; errors (e.g. the last admin) are shown inline. */
export function RoleSelect({ uid, role, isSelf }: { uid: string; role: string; isSelf: boolean }) {
  const router = useRouter();
  const [value, setValue] = useState(role);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function change(next: string) {
    if (next === value) return;
    const warning = isSelf
      ? " You are changing your own role, and you will sign in again."
      : " They will sign in again.";
    if (!window.confirm(`Change this user's role from ${value} to ${next}?${warning}`)) return;
    setPending(true);
    setError(null);
    const response = await fetch(`/api/console/users/${encodeURIComponent(uid)}/role`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ role: next }),
    });
    setPending(false);
    if (!response.ok) {
      const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
      setError(body?.error?.message ?? "Could not change the role.");
      return;
    }
    setValue(next);
    router.refresh();
  }

  return (
    <div className="min-w-32">
      <Select
        aria-label="Role"
        value={value}
        disabled={pending}
        onChange={(event) => void change(event.target.value)}
        className="h-8"
      >
        <option value="owner">owner</option>
        <option value="operator">operator</option>
        <option value="admin">admin</option>
      </Select>
      {error && (
        <p className="mt-1 text-xs text-red-700" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

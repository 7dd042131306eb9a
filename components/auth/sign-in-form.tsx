"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { Field, Input } from "@/components/ui/input";
import { safeCallbackPath } from "@/lib/users/safe-callback";

const MESSAGES: Record<string, string> = {
  CredentialsSignin: "Wrong email or password.",
  RateLimited: "Too many attempts. Wait a few minutes and try again.",
};

/** "45 seconds", "3 minutes". */
export function formatWait(seconds: number): string {
  if (seconds < 90) return `${seconds} second${seconds === 1 ? "" : "s"}`;
  return `${Math.ceil(seconds / 60)} minutes`;
}

/**
 * Email + password sign-in for local accounts (the embedded default), through
 * `POST /api/auth/sign-in`: a throttled attempt shows how long to wait (`Retry-After`), and the
 * form returns to `callbackUrl` only when it is a same-origin path.
 */
export function SignInForm({ callbackUrl, initialError }: { callbackUrl: string; initialError?: string }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(
    initialError ? (MESSAGES[initialError] ?? "Sign-in failed. Try again.") : null,
  );
  const [pending, setPending] = useState(false);
  const [waitUntil, setWaitUntil] = useState<number | null>(null);

  useEffect(() => {
    if (waitUntil === null) return;
    const timer = setTimeout(() => setWaitUntil(null), Math.max(0, waitUntil - Date.now()));
    return () => clearTimeout(timer);
  }, [waitUntil]);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(null);
    let response: Response;
    try {
      response = await fetch("/api/auth/sign-in", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: form.get("email"), password: form.get("password"), callbackUrl }),
      });
    } catch {
      setPending(false);
      setError("Could not reach the server. Try again.");
      return;
    }
    const body = (await response.json().catch(() => null)) as {
      redirect_to?: string;
      error?: { message?: string; reason?: string };
    } | null;
    if (!response.ok) {
      setPending(false);
      if (response.status === 429) {
        const seconds = Math.max(1, Number(response.headers.get("retry-after")) || 60);
        setWaitUntil(Date.now() + seconds * 1000);
        setError(`Too many sign-in attempts from here. Try again in ${formatWait(seconds)}.`);
      } else {
        setError(body?.error?.message ?? "Sign-in failed. Try again.");
      }
      return;
    }
    router.push(safeCallbackPath(body?.redirect_to ?? callbackUrl, window.location.origin));
    router.refresh();
  }

  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
      <Field label="Email" htmlFor="email">
        <Input id="email" name="email" type="email" autoComplete="email" required />
      </Field>
      <Field label="Password" htmlFor="password">
        <Input id="password" name="password" type="password" autoComplete="current-password" required />
      </Field>
      {error && (
        <p className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800" role="alert">
          {error}
        </p>
      )}
      <Button type="submit" className="w-full" disabled={pending || waitUntil !== null}>
        {pending ? "Signing in…" : "Sign in"}
      </Button>
      <p className="text-center text-sm text-slate-600">
        No account yet?{" "}
        <Link href="/signup" className="font-medium text-brand-700 hover:underline">
          Create one
        </Link>
      </p>
    </form>
  );
}

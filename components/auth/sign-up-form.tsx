"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { Field, Input } from "@/components/ui/input";
import { readFormErrors } from "./form-errors";

/**
 * Create a local account, then sign in with it. Sign-up answers the same whether or not the email
 * already had an account, so a failed sign-in afterwards is where a taken email shows up, and the
 * message says so without saying which it was.
 */
export function SignUpForm({ isFirstAccount }: { isFirstAccount: boolean }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const input = { display_name: form.get("display_name"), email: form.get("email"), password: form.get("password") };
    setPending(true);
    setError(null);
    setFieldErrors({});
    const response = await fetch("/api/auth/signup", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(input),
    });
    if (!response.ok) {
      const refused = await readFormErrors(response, "Could not create the account.");
      setFieldErrors(refused.fields);
      setError(refused.message);
      setPending(false);
      return;
    }
    const signIn = await fetch("/api/auth/sign-in", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: input.email, password: input.password }),
    });
    setPending(false);
    if (!signIn.ok) {
      setError(
        signIn.status === 429
          ? "Too many sign-in attempts from here; wait a few minutes, then sign in."
          : "Could not sign you in with this email and password. If you already have an account with this email, sign in with its password.",
      );
      return;
    }
    router.push("/console");
    router.refresh();
  }

  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
      {isFirstAccount && (
        <p className="rounded-md bg-brand-50 px-3 py-2 text-sm text-brand-900">
          This is the first account on this deployment: it becomes the <strong>admin</strong>.
        </p>
      )}
      <Field label="Name" htmlFor="display_name" error={fieldErrors.display_name}>
        <Input id="display_name" name="display_name" autoComplete="name" required />
      </Field>
      <Field label="Email" htmlFor="email" error={fieldErrors.email}>
        <Input id="email" name="email" type="email" autoComplete="email" required />
      </Field>
      <Field
        label="Password"
        htmlFor="password"
        hint="At least 10 characters, not a common or easily guessed password. A few unrelated words work well."
        error={fieldErrors.password}
      >
        <Input id="password" name="password" type="password" autoComplete="new-password" required minLength={10} />
      </Field>
      {error && (
        <p className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800" role="alert">
          {error}
        </p>
      )}
      <Button type="submit" className="w-full" disabled={pending}>
        {pending ? "Creating account…" : "Create account"}
      </Button>
      <p className="text-center text-sm text-slate-600">
        Already have an account?{" "}
        <Link href="/signin" className="font-medium text-brand-700 hover:underline">
          Sign in
        </Link>
      </p>
    </form>
  );
}

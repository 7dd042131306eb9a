"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { Field, Input } from "@/components/ui/input";
import { readFormErrors } from "./form-errors";

/** Change your password; every session of the account ends, so the form sends you to sign in again. */
export function ChangePasswordForm() {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(null);
    setFieldErrors({});
    const response = await fetch("/api/auth/password", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ current_password: form.get("current_password"), new_password: form.get("new_password") }),
    });
    setPending(false);
    if (!response.ok) {
      const refused = await readFormErrors(response, "Could not change the password.");
      setFieldErrors(refused.fields);
      setError(refused.message);
      return;
    }
    router.push("/signin?callbackUrl=%2Fconsole%2Faccount");
    router.refresh();
  }

  return (
    <form onSubmit={onSubmit} className="max-w-md space-y-4" noValidate>
      <Field label="Current password" htmlFor="current_password" error={fieldErrors.current_password}>
        <Input id="current_password" name="current_password" type="password" autoComplete="current-password" required />
      </Field>
      <Field
        label="New password"
        htmlFor="new_password"
        hint="At least 10 characters, not a common or easily guessed password."
        error={fieldErrors.new_password}
      >
        <Input
          id="new_password"
          name="new_password"
          type="password"
          autoComplete="new-password"
          required
          minLength={10}
        />
      </Field>
      {error && (
        <p className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800" role="alert">
          {error}
        </p>
      )}
      <Button type="submit" disabled={pending}>
        {pending ? "Changing…" : "Change password"}
      </Button>
    </form>
  );
}

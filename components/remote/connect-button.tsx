"use client";

import { useRouter } from "next/navigation";
import { useId, useState } from "react";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/input";
import {
  forgetClaimProof,
  recallClaimProof,
  rememberClaimProof,
  saveSessionKey,
  type StoredSessionKey,
} from "./session-keys";

interface VerifyError {
  error?: { code?: string; reason?: string; message?: string };
}

/**
 * "Connect" on a robot the owner owns: asks for the robot's local claim proof (remembered on this
 * device when wanted), runs `POST /api/remote/verify`, keeps the session token in this tab and
 * opens the session page. Mount it on any page that knows the robot and the signed-in user.
 */
export function ConnectButton({
  deviceId,
  ruri,
  userUid,
  robotName,
  size = "md",
}: {
  deviceId: string;
  ruri: string;
  userUid: string;
  robotName?: string;
  size?: "sm" | "md";
}) {
  const router = useRouter();
  const id = useId();
  const [open, setOpen] = useState(false);
  const [proof, setProof] = useState("");
  const [remember, setRemember] = useState(true);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function connect(event: React.FormEvent) {
    event.preventDefault();
    setPending(true);
    setError(null);
    const response = await fetch("/api/remote/verify", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ robot_ruri: ruri, user_uid: userUid, local_claim_proof: proof.trim() }),
    }).catch(() => null);
    if (!response) {
      setPending(false);
      setError("The server could not be reached.");
      return;
    }
    const body = (await response.json().catch(() => ({}))) as StoredSessionKey & VerifyError;
    if (!response.ok) {
      setPending(false);
      if (body.error?.reason?.startsWith("claim_proof")) forgetClaimProof(deviceId);
      setError(body.error?.message ?? `Verification failed (${response.status}).`);
      return;
    }
    if (remember) rememberClaimProof(deviceId, proof);
    else forgetClaimProof(deviceId);
    saveSessionKey({
      session_id: body.session_id,
      session_token: body.session_token,
      robot_endpoint: body.robot_endpoint,
      expires_at: body.expires_at,
      ice_servers: body.ice_servers,
    });
    router.push(`/console/remote/${body.session_id}`);
  }

  if (!open) {
    return (
      <Button
        size={size}
        onClick={() => {
          setProof(recallClaimProof(deviceId) ?? "");
          setOpen(true);
        }}
        data-testid={`connect-${deviceId}`}
      >
        Connect
      </Button>
    );
  }
  return (
    <form
      onSubmit={(event) => void connect(event)}
      className="w-full max-w-xl space-y-3 rounded-lg border border-slate-200 bg-white p-4 text-left shadow-sm"
      data-testid={`connect-form-${deviceId}`}
    >
      <p className="text-sm text-slate-700">
        Connect to <strong>{robotName ?? deviceId}</strong>. Paste the claim proof the robot gave you when you paired
        with it (<code>simulator claim</code> prints one for a simulated robot).
      </p>
      <Field label="Local claim proof" htmlFor={`${id}-proof`} error={error}>
        <textarea
          id={`${id}-proof`}
          value={proof}
          onChange={(event) => setProof(event.target.value)}
          rows={3}
          required
          spellCheck={false}
          className="block w-full rounded-md border border-slate-300 px-3 py-2 font-mono text-xs break-all text-slate-900 focus:border-brand-500 focus:ring-2 focus:ring-brand-200 focus:outline-none"
          placeholder="eyJhbGciOiJFZERTQSIsInR5cCI6InJjYW4tY2xhaW0rand0Ii…"
        />
      </Field>
      <label className="flex items-center gap-2 text-sm text-slate-700">
        <input type="checkbox" checked={remember} onChange={(event) => setRemember(event.target.checked)} />
        Remember the proof on this device
      </label>
      <div className="flex flex-wrap gap-2">
        <Button type="submit" disabled={pending || proof.trim() === ""}>
          {pending ? "Verifying…" : "Verify and connect"}
        </Button>
        <Button type="button" variant="secondary" onClick={() => setOpen(false)}>
          Cancel
        </Button>
      </div>
    </form>
  );
}

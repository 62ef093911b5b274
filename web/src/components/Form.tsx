// What every form shows: the API's message on top (role="alert"), and a submit button that says it is busy.
import type { ReactNode } from "react";
import type { ApiError } from "../api/client";

export function FormAlert({ error, children }: { error?: ApiError | null; children?: ReactNode }) {
  if (!error && !children) return null;
  return (
    <div className={`alert ${error ? "alert--error" : "alert--success"}`} role="alert">
      {error ? error.message : children}
    </div>
  );
}

interface SubmitProps {
  busy: boolean;
  children: ReactNode;
  busyLabel?: string;
  disabled?: boolean;
}

export function SubmitButton({ busy, children, busyLabel, disabled }: SubmitProps) {
  return (
    <button type="submit" className="button button--primary" disabled={busy || disabled} aria-busy={busy}>
      {busy ? (busyLabel ?? "Working…") : children}
    </button>
  );
}

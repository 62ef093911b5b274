// What every form shows: the API's message on top (role="alert"), and a submit button that says it is busy.
// A refusal field by field (a 422) is said at the fields, not as "The given data was invalid." on top: the
// banner then says only what no field of the form shows, and the first field in error takes the focus.
import { useEffect, useRef, type ReactNode } from "react";
import type { ApiError } from "../api/client";
import { plainFieldMessage } from "../words";

interface AlertProps {
  error?: ApiError | null;
  fields?: string[]; // the API's field names this form shows at their inputs
  children?: ReactNode;
}

export function FormAlert({ error, fields = [], children }: AlertProps) {
  const anchor = useRef<HTMLSpanElement>(null);
  useEffect(() => {
    if (!error?.hasFieldErrors) return;
    anchor.current?.closest("form")?.querySelector<HTMLElement>("[aria-invalid='true']")?.focus();
  }, [error]);

  const elsewhere = error?.hasFieldErrors
    ? Object.entries(error.errors)
        .filter(([name]) => !fields.includes(name))
        .flatMap(([, messages]) => messages.map(plainFieldMessage))
    : [];
  const said = error ? (error.hasFieldErrors ? elsewhere.join(" ") : error.message) : null;
  return (
    <>
      <span ref={anchor} hidden />
      {(said || (!error && children)) && (
        <div className={`alert ${error ? "alert--error" : "alert--success"}`} role="alert">
          {error ? said : children}
        </div>
      )}
    </>
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

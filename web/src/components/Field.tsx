// A labelled input with its hint and the API's error for it, tied by aria-describedby.
import { useId, type InputHTMLAttributes, type ReactNode } from "react";
import { PASSWORD_RULES } from "../api/account";
import { lengthProblem, passwordProblems } from "../words";

interface FieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, "id" | "maxLength"> {
  label: string;
  hint?: ReactNode;
  error?: string;
  limit?: number; // the most characters the API takes: said in the hint, and at the field once passed
}

/** No `maxLength`: a browser cuts a longer paste silently; the field says the limit instead (`limit`). */
export function Field({ label, hint, error: apiError, limit, className, ...input }: FieldProps) {
  const id = useId();
  const tooLong = limit === undefined ? undefined : lengthProblem(String(input.value ?? ""), limit);
  const error = tooLong ?? apiError;
  if (limit !== undefined) hint = hint ? <>{hint} At most {limit} characters.</> : `At most ${limit} characters.`;
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className={`field${error ? " field--invalid" : ""}${className ? ` ${className}` : ""}`}>
      <label htmlFor={id}>{label}</label>
      <input id={id} aria-invalid={error ? true : undefined} aria-describedby={describedBy} {...input} />
      {hint && (
        <p className="field__hint" id={hintId}>
          {hint}
        </p>
      )}
      {error && (
        <p className="field__error" id={errorId}>
          {error}
        </p>
      )}
    </div>
  );
}

type PresetFieldProps = Omit<FieldProps, "label" | "type">;

/** The account's address, as every account screen asks for it. */
export function EmailField(props: PresetFieldProps) {
  return <Field label="Email" type="email" autoComplete="email" required {...props} />;
}

/** The account's current password (log-in, verifying the address). */
export function PasswordField(props: PresetFieldProps) {
  return <Field label="Password" type="password" autoComplete="current-password" required {...props} />;
}

interface NewPasswordProps {
  label: string; // "Password", "New password": the confirmation is "Confirm <label>"
  password: string;
  confirmation: string;
  onChange: (password: string, confirmation: string) => void;
  errors: (name: "password" | "password_confirmation") => string | undefined;
}

const MISMATCH = "The two passwords are not the same.";

/** A new password and its confirmation, with the pool's rules as the hint. When the API refuses the
 * password, every rule it still misses is said at once (the API says one at a time), and a confirmation
 * that differs too (the API compares them only once the password passes). */
export function NewPasswordFields({ label, password, confirmation, onChange, errors }: NewPasswordProps) {
  return (
    <>
      <Field
        label={label}
        type="password"
        autoComplete="new-password"
        required
        value={password}
        onChange={(e) => onChange(e.target.value, confirmation)}
        hint={PASSWORD_RULES}
        error={errors("password") && (passwordProblems(password) ?? errors("password"))}
      />
      <Field
        label={`Confirm ${label.toLowerCase()}`}
        type="password"
        autoComplete="new-password"
        required
        value={confirmation}
        onChange={(e) => onChange(password, e.target.value)}
        error={errors("password_confirmation") ?? (errors("password") && confirmation !== password ? MISMATCH : undefined)}
      />
    </>
  );
}

// A labelled input with its hint and the API's error for it, tied by aria-describedby.
import { useId, type InputHTMLAttributes, type ReactNode } from "react";
import { PASSWORD_RULES } from "../api/account";

interface FieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, "id"> {
  label: string;
  hint?: ReactNode;
  error?: string;
}

export function Field({ label, hint, error, className, ...input }: FieldProps) {
  const id = useId();
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

/** A new password and its confirmation, with the pool's rules as the hint. */
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
        error={errors("password")}
      />
      <Field
        label={`Confirm ${label.toLowerCase()}`}
        type="password"
        autoComplete="new-password"
        required
        value={confirmation}
        onChange={(e) => onChange(password, e.target.value)}
        error={errors("password_confirmation")}
      />
    </>
  );
}

import { useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router";
import { PASSWORD_RULES, resetPassword } from "../api/account";
import { Field } from "../components/Field";
import { FormAlert, SubmitButton } from "../components/Form";
import { useAction } from "../hooks";

export function ResetPassword() {
  const [params] = useSearchParams();
  const [password, setPassword] = useState("");
  const [confirmation, setConfirmation] = useState("");
  const [done, setDone] = useState<string | null>(null);
  const action = useAction(resetPassword);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const answer = await action.run(params.get("token") ?? "", password, confirmation);
    if (answer) setDone(answer.message);
  };

  if (done) {
    return (
      <>
        <h1>Your password was changed</h1>
        <div className="alert alert--success" role="alert">
          {done}
        </div>
        <p>
          <Link className="button button--primary" to="/login">
            Log in
          </Link>
        </p>
      </>
    );
  }
  const tokenError = action.error?.field("token");
  return (
    <>
      <h1>Choose a new password</h1>
      <form onSubmit={submit} noValidate>
        <FormAlert error={action.error} />
        {tokenError && (
          <p className="notice">
            {tokenError} <Link to="/forgot-password">Have a new link sent</Link>.
          </p>
        )}
        <Field
          label="New password"
          type="password"
          autoComplete="new-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          hint={PASSWORD_RULES}
          error={action.error?.field("password")}
        />
        <Field
          label="Confirm new password"
          type="password"
          autoComplete="new-password"
          required
          value={confirmation}
          onChange={(e) => setConfirmation(e.target.value)}
          error={action.error?.field("password_confirmation")}
        />
        <div className="form-actions">
          <SubmitButton busy={action.busy} busyLabel="Saving…">
            Save the new password
          </SubmitButton>
        </div>
      </form>
    </>
  );
}

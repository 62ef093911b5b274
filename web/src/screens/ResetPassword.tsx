import { useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router";
import { resetPassword } from "../api/account";
import { NewPasswordFields } from "../components/Field";
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
        <FormAlert error={action.error} fields={["token", "password", "password_confirmation"]} />
        {tokenError && (
          <p className="notice">
            {tokenError} <Link to="/forgot-password">Have a new link sent</Link>.
          </p>
        )}
        <NewPasswordFields
          label="New password"
          password={password}
          confirmation={confirmation}
          onChange={(changed, confirmed) => {
            setPassword(changed);
            setConfirmation(confirmed);
          }}
          errors={(name) => action.error?.field(name)}
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

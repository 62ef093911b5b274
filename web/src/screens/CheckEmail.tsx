import { useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router";
import { resendVerification } from "../api/account";
import { EmailField } from "../components/Field";
import { FormAlert, SubmitButton } from "../components/Form";
import { useAction } from "../hooks";

export function CheckEmail() {
  const [params] = useSearchParams();
  const [email, setEmail] = useState(params.get("email") ?? "");
  const action = useAction(resendVerification);
  const [sent, setSent] = useState<string | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const answer = await action.run(email);
    if (answer) setSent(answer.message);
  };

  return (
    <>
      <h1>Check your email</h1>
      <p className="lead">
        {params.get("email") ? (
          <>
            We sent a link to <strong>{params.get("email")}</strong>.
          </>
        ) : (
          "We sent you a link."
        )}{" "}
        Open it to verify your address, then log in. The link is valid for 24 hours.
      </p>
      <form onSubmit={submit} noValidate>
        <FormAlert error={action.error} fields={["email"]}>{sent}</FormAlert>
        <EmailField
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          hint="No mail? Check your spam folder, or have the link sent again."
          error={action.error?.field("email")}
        />
        <div className="form-actions">
          <SubmitButton busy={action.busy} busyLabel="Sending…">
            Send again
          </SubmitButton>
          <Link to="/login">Back to log in</Link>
        </div>
      </form>
    </>
  );
}

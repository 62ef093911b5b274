import { useState, type FormEvent } from "react";
import { Link } from "react-router";
import { forgotPassword } from "../api/account";
import { EmailField } from "../components/Field";
import { FormAlert, SubmitButton } from "../components/Form";
import { useAction } from "../hooks";

export function ForgotPassword() {
  const [email, setEmail] = useState("");
  const [sent, setSent] = useState<string | null>(null);
  const action = useAction(forgotPassword);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const answer = await action.run(email);
    if (answer) setSent(`${answer.message} The link is valid for one hour.`);
  };

  return (
    <>
      <h1>Forgotten password</h1>
      <p className="lead">Enter the address of your account: we will mail you a link to choose a new password.</p>
      <form onSubmit={submit} noValidate>
        <FormAlert error={action.error} fields={["email"]}>{sent}</FormAlert>
        <EmailField value={email} onChange={(e) => setEmail(e.target.value)} error={action.error?.field("email")} />
        <div className="form-actions">
          <SubmitButton busy={action.busy} busyLabel="Sending…">
            Send the link
          </SubmitButton>
          <Link to="/login">Back to log in</Link>
        </div>
      </form>
    </>
  );
}

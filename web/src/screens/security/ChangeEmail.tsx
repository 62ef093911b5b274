// Changing the account's address: asked here with the password (and the code), finished by the link
// mailed to the new address (screens/ConfirmEmail.tsx). Nothing changes before the link is opened.
import { useState, type FormEvent } from "react";
import { changeEmail, getTwoFactor } from "../../api/security";
import { Field, PasswordField } from "../../components/Field";
import { FormAlert, SubmitButton } from "../../components/Form";
import { useAction, useResource } from "../../hooks";
import { CodeField } from "./TwoFactor";

export function ChangeEmail() {
  const twoFactor = useResource(getTwoFactor, []);
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [code, setCode] = useState("");
  const [sent, setSent] = useState("");
  const ask = useAction(changeEmail);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSent("");
    const answer = await ask.run(email, password, code);
    if (answer) {
      setSent(`${answer.message} Open its link in this browser, logged in, within an hour to finish.`);
      setPassword("");
      setCode("");
    }
  };

  return (
    <section className="panel" aria-labelledby="change-email">
      <h2 id="change-email">Email address</h2>
      <form onSubmit={submit} noValidate>
        <FormAlert error={ask.error} fields={["email", "password", "code"]}>
          {sent}
        </FormAlert>
        <p>
          We mail a link to the new address; your address changes when you open it. Your other sessions end then,
          and two-factor authentication has to be set up again.
        </p>
        <Field
          label="New email address"
          type="email"
          autoComplete="email"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={ask.error?.field("email")}
        />
        <PasswordField
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={ask.error?.field("password")}
        />
        {twoFactor.data?.enabled && <CodeField value={code} onChange={setCode} error={ask.error?.field("code")} />}
        <div className="form-actions">
          <SubmitButton busy={ask.busy} busyLabel="Sending…">
            Send the link
          </SubmitButton>
        </div>
      </form>
    </section>
  );
}

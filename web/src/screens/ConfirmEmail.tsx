// The link mailed to a new address: opened logged in to the account that asked, with its password (and
// code), it makes the new address the account's. Every other session ends; this one goes on.
import { useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router";
import { confirmEmail, getTwoFactor } from "../api/security";
import { PasswordField } from "../components/Field";
import { FormAlert, SubmitButton } from "../components/Form";
import { useAction, useResource } from "../hooks";
import { useSession } from "../session";
import { CodeField } from "./security/TwoFactor";

export function ConfirmEmail() {
  const [params] = useSearchParams();
  const { account, setAccount } = useSession();
  const twoFactor = useResource(getTwoFactor, []);
  const [password, setPassword] = useState("");
  const [code, setCode] = useState("");
  const [changed, setChanged] = useState<string | null>(null);
  const action = useAction(confirmEmail);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const answer = await action.run(params.get("token") ?? "", password, code);
    if (!answer) return;
    if (account) setAccount({ ...account, email: answer.email });
    setChanged(answer.email);
  };

  if (changed) {
    return (
      <>
        <h1>Your address was changed</h1>
        <div className="alert alert--success" role="alert">
          You now log in as {changed}. Your other sessions have ended.
        </div>
        <p>Two-factor authentication is off after the change: set it up again with your authenticator app.</p>
        <p>
          <Link className="button button--primary" to="/account/security">
            Account security
          </Link>
        </p>
      </>
    );
  }
  const tokenError = action.error?.field("token");
  return (
    <>
      <h1>Confirm your new address</h1>
      <form onSubmit={submit} noValidate>
        <FormAlert error={action.error} fields={["token", "password", "code"]} />
        {tokenError && (
          <p className="notice">
            {tokenError} Open the latest link, logged in to the account that asked for it, or{" "}
            <Link to="/account/security">ask again</Link>.
          </p>
        )}
        <p>
          {account ? `Your account ${account.email} will` : "Your account will"} use the address this link was mailed to.
        </p>
        <PasswordField
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={action.error?.field("password")}
        />
        {twoFactor.data?.enabled && (
          <CodeField value={code} onChange={setCode} error={action.error?.field("code")} />
        )}
        <div className="form-actions">
          <SubmitButton busy={action.busy} busyLabel="Changing…">
            Change my address
          </SubmitButton>
        </div>
      </form>
    </>
  );
}

import { useState, type FormEvent } from "react";
import { Link, Navigate, useSearchParams } from "react-router";
import { verifyEmail, type Verified } from "../api/account";
import { PasswordField } from "../components/Field";
import { FormAlert, SubmitButton } from "../components/Form";
import { useAction } from "../hooks";
import { pendingInvitation } from "../invitation";

// The mailed link verifies the address only with the password it was last registered with: a link
// someone else's registration sent to this mailbox verifies nothing. In the browser that registered, it
// logs in too and goes on to "Create your first project"; anywhere else, the person logs in next.
export function Verify() {
  const [params] = useSearchParams();
  const token = params.get("token") ?? "";
  const [password, setPassword] = useState("");
  const [account, setAccount] = useState<Verified | null>(null);
  const action = useAction(verifyEmail);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const verified = await action.run(token, password);
    if (verified) setAccount(verified);
  };

  const tokenError = action.error?.field("token");
  if (!token) {
    return (
      <>
        <h1>This link is incomplete</h1>
        <div className="alert alert--error" role="alert">
          The link has no token. Open the link from the mail as it is, or copy all of it into the address bar.
        </div>
        <p>
          <Link to="/check-email">Have a new one sent</Link> or <Link to="/login">log in</Link>.
        </p>
      </>
    );
  }
  if (tokenError) {
    // The API cannot tell a used link from an expired one (it keeps neither): both cases are said.
    return (
      <>
        <h1>This link was used already or has expired</h1>
        <div className="alert alert--error" role="alert">
          A verification link works once, within 24 hours of the mail.
        </div>
        <p>
          <strong>Opened it before?</strong> Then your address is verified: log in with your email and password.
        </p>
        <p>
          <Link className="button button--primary" to="/login">
            Log in
          </Link>
        </p>
        <p className="muted">
          Not verified yet? <Link to="/check-email">Have a new link sent</Link>, or <Link to="/register">register again</Link>.
        </p>
      </>
    );
  }
  // registered in this browser: logged in, on to "Create your first project" (or the invitation opened first)
  if (account?.session) return <Navigate to={pendingInvitation() ?? "/"} replace />;
  if (account) {
    return (
      <>
        <h1>Your email is verified</h1>
        <div className="alert alert--success" role="alert">
          Thank you, {account.name}: {account.email} is verified.
        </div>
        <p>
          <Link className="button button--primary" to={`/login?email=${encodeURIComponent(account.email)}`}>
            Log in
          </Link>
        </p>
      </>
    );
  }
  return (
    <>
      <h1>Verify your email</h1>
      <p className="lead">Enter the password you registered with to confirm that this account is yours.</p>
      <form onSubmit={submit} noValidate>
        <FormAlert error={action.error} fields={["password"]} />
        <PasswordField
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={action.error?.field("password")}
        />
        <div className="form-actions">
          <SubmitButton busy={action.busy} busyLabel="Verifying…">
            Verify my email
          </SubmitButton>
        </div>
      </form>
    </>
  );
}

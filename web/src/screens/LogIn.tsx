import { useState, type FormEvent } from "react";
import { Link, Navigate, useNavigate, useSearchParams } from "react-router";
import { logIn } from "../api/account";
import { EmailField, PasswordField } from "../components/Field";
import { FormAlert, SubmitButton } from "../components/Form";
import { useAction } from "../hooks";
import { pendingInvitation } from "../invitation";
import { useSession } from "../session";
import { CodeField } from "./security/TwoFactor";

/** Only a path of this app: `next` is read as the browser reads a link on this page (backslashes as
 * slashes, tabs and newlines dropped), and anything that would leave the Portal's origin becomes "/". */
function portalPath(next: string | null): string {
  if (!next?.startsWith("/")) return "/";
  try {
    const url = new URL(next, window.location.origin);
    return url.origin === window.location.origin ? url.pathname + url.search + url.hash : "/";
  } catch {
    return "/";
  }
}

export function LogIn() {
  const [params] = useSearchParams();
  const [email, setEmail] = useState(params.get("email") ?? "");
  const [password, setPassword] = useState("");
  const [code, setCode] = useState<string | null>(null); // asked once the API says the account wants one
  const { session } = useSession();
  const navigate = useNavigate();
  const action = useAction(logIn);
  const next = portalPath(params.get("next") ?? pendingInvitation()); // an invitation opened before log-in
  const unlock = params.get("unlock") ?? undefined; // the mailed link's, once the address's log-ins are guarded

  if (session && !action.busy) return <Navigate to={next} replace />;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const answer = await action.run(email, password, unlock, code ?? undefined);
    if (answer === "in") navigate(next, { replace: true });
    else if (answer === "code") setCode("");
  };

  const unverified = action.error?.status === 403;
  return (
    <>
      <h1>Log in</h1>
      <p className="lead">Welcome back to the Kairos Portal.</p>
      <form onSubmit={submit} noValidate>
        <FormAlert error={action.error} fields={["email", "password"]} />
        {unverified && (
          <p className="notice">
            <Link to={`/check-email?email=${encodeURIComponent(email)}`}>Send the verification link again</Link>
          </p>
        )}
        <EmailField value={email} onChange={(e) => setEmail(e.target.value)} error={action.error?.field("email")} />
        <PasswordField
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={action.error?.field("password")}
        />
        {code !== null && (
          <>
            <p className="notice">Two-factor authentication is on for this account.</p>
            <CodeField value={code} onChange={setCode} error={action.error?.field("code")} />
          </>
        )}
        <div className="form-actions">
          <SubmitButton busy={action.busy} busyLabel="Logging in…">
            Log in
          </SubmitButton>
          <Link to="/forgot-password">Forgot your password?</Link>
        </div>
      </form>
      <p className="card__footer">
        New to Kairos? <Link to="/register">Create an account</Link>
      </p>
    </>
  );
}

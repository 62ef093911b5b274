import { useState, type FormEvent } from "react";
import { Link, Navigate, useNavigate, useSearchParams } from "react-router";
import { logIn } from "../api/account";
import { EmailField, Field } from "../components/Field";
import { FormAlert, SubmitButton } from "../components/Form";
import { useAction } from "../hooks";
import { pendingInvitation } from "../invitation";
import { useSession } from "../session";

/** Only paths of this app: a `next` pointing elsewhere is ignored. */
const safeNext = (next: string | null): string => (next?.startsWith("/") && !next.startsWith("//") ? next : "/");

export function LogIn() {
  const [params] = useSearchParams();
  const [email, setEmail] = useState(params.get("email") ?? "");
  const [password, setPassword] = useState("");
  const { session } = useSession();
  const navigate = useNavigate();
  const action = useAction(logIn);
  const next = safeNext(params.get("next") ?? pendingInvitation()); // an invitation opened before log-in

  if (session && !action.busy) return <Navigate to={next} replace />;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if ((await action.run(email, password)) !== undefined) navigate(next, { replace: true });
  };

  const unverified = action.error?.status === 403;
  return (
    <>
      <h1>Log in</h1>
      <p className="lead">Welcome back to the Kairos Portal.</p>
      <form onSubmit={submit} noValidate>
        <FormAlert error={action.error} />
        {unverified && (
          <p className="notice">
            <Link to={`/check-email?email=${encodeURIComponent(email)}`}>Send the verification link again</Link>
          </p>
        )}
        <EmailField value={email} onChange={(e) => setEmail(e.target.value)} error={action.error?.field("email")} />
        <Field
          label="Password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={action.error?.field("password")}
        />
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

import { useEffect, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { verifyEmail, type Account } from "../api/account";
import { ApiError } from "../api/client";
import { Loading } from "../components/Status";

// A link works once: the same token is posted once per page, even if the screen mounts twice.
const verifications = new Map<string, Promise<Account>>();

export function Verify() {
  const [params] = useSearchParams();
  const token = params.get("token") ?? "";
  const [account, setAccount] = useState<Account | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  useEffect(() => {
    if (!token) return;
    let current = true;
    if (!verifications.has(token)) verifications.set(token, verifyEmail(token));
    verifications.get(token)!.then(
      (verified) => current && setAccount(verified),
      (failure: ApiError) => current && setError(failure),
    );
    return () => {
      current = false;
    };
  }, [token]);

  if (!token || error) {
    return (
      <>
        <h1>This link cannot be used</h1>
        <div className="alert alert--error" role="alert">
          {error?.message ?? "The link has no token. Open the link from the mail as it is."}
        </div>
        <p>
          A verification link works once, within 24 hours. <Link to="/check-email">Have a new one sent</Link>, or{" "}
          <Link to="/login">log in</Link> if your address is verified already.
        </p>
      </>
    );
  }
  if (!account) return <Loading label="Verifying your email…" />;
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

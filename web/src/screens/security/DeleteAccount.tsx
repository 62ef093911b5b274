// Deleting the account: what goes with it is listed first; projects shared with other people stop it
// (named, with a link to their settings); the password, the code (with two-factor authentication) and
// the typed words confirm it.
import { useState } from "react";
import { Link, useNavigate } from "react-router";
import { ApiError } from "../../api/client";
import { deleteAccount, getDeletion, getTwoFactor } from "../../api/security";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { Field, PasswordField } from "../../components/Field";
import { ErrorState, Loading } from "../../components/Status";
import { useResource } from "../../hooks";
import { projectPath } from "../../paths";
import { CodeField } from "./TwoFactor";

/** The dialog shows one message: a field's own ("The password is incorrect.") rather than the summary. */
function fieldFirst(error: unknown): never {
  const said = error instanceof ApiError ? Object.values(error.errors)[0]?.[0] : undefined;
  throw said && error instanceof ApiError ? new ApiError(error.status, said, error.errors) : error;
}

export function DeleteAccount() {
  const preview = useResource(getDeletion, []);
  const twoFactor = useResource(getTwoFactor, []);
  const [open, setOpen] = useState(false);
  const [password, setPassword] = useState("");
  const [code, setCode] = useState("");
  const [typed, setTyped] = useState("");
  const navigate = useNavigate();
  const close = () => {
    setOpen(false);
    setPassword("");
    setCode("");
    setTyped("");
  };

  let body;
  const data = preview.data;
  if (preview.error) body = <ErrorState error={preview.error} onRetry={preview.reload} />;
  else if (!data) body = <Loading />;
  else if (!data.can_delete)
    body = (
      <>
        <p>Your account owns projects that other people are members of. Remove their members or delete these projects first:</p>
        <ul>
          {data.blocking.map((p) => (
            <li key={p.id}>
              <Link to={projectPath(p.id, "/projects/:project/settings")}>{p.name}</Link>
            </li>
          ))}
        </ul>
      </>
    );
  else
    body = (
      <>
        <p>You will not be able to log in again; this cannot be undone.</p>
        {data.deleted.length > 0 && (
          <p>
            Deleted with it (you own them alone; their API tokens stop at once):{" "}
            <strong>{data.deleted.map((p) => p.name).join(", ")}</strong>.
          </p>
        )}
        {data.left.length > 0 && <p>You leave: {data.left.map((p) => p.name).join(", ")}.</p>}
        <button type="button" className="button button--danger" onClick={() => setOpen(true)}>
          Delete my account…
        </button>
      </>
    );
  return (
    <section className="panel panel--danger" aria-labelledby="delete-account">
      <h2 id="delete-account">Delete your account</h2>
      {body}
      {open && data && (
        <ConfirmDialog
          title="Delete your account?"
          confirmLabel="Delete my account"
          busyLabel="Deleting…"
          danger
          disabled={typed.trim().toLowerCase() !== data.confirmation || !password}
          onConfirm={() => deleteAccount(password, typed, code).catch(fieldFirst)}
          onClose={(deleted) => {
            close();
            if (deleted) navigate("/login", { replace: true });
          }}
        >
          {data.deleted.length > 0 && <p>These projects are deleted too: {data.deleted.map((p) => p.name).join(", ")}.</p>}
          <PasswordField value={password} onChange={(e) => setPassword(e.target.value)} />
          {twoFactor.data?.enabled && <CodeField value={code} onChange={setCode} />}
          <Field
            label={`Type “${data.confirmation}” to confirm`}
            autoComplete="off"
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
          />
        </ConfirmDialog>
      )}
    </section>
  );
}

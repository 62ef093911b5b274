// The mailed invitation link (/invitations/accept?token=...): log in (or register first, with the invited
// address), then accept, and land on the project. The link is kept for this browser tab while the person
// registers and verifies their address, so the log-in comes back here (invitation.ts).
import { useEffect, type FormEvent } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { acceptInvitation } from "../api/members";
import { FormAlert, SubmitButton } from "../components/Form";
import { useAction } from "../hooks";
import { forgetInvitation, rememberInvitation } from "../invitation";
import { projectPath } from "../paths";
import { useSession } from "../session";

export function AcceptInvitation() {
  const [params] = useSearchParams();
  const token = params.get("token") ?? "";
  const here = `/invitations/accept?token=${encodeURIComponent(token)}`;
  const { session } = useSession();
  const navigate = useNavigate();
  const action = useAction(acceptInvitation);

  useEffect(() => {
    if (token && !session) rememberInvitation(here);
  }, [token, session, here]);

  if (!token) {
    return (
      <>
        <h1>This link cannot be used</h1>
        <div className="alert alert--error" role="alert">
          The link has no token. Open the link from the invitation mail as it is.
        </div>
      </>
    );
  }
  if (!session) {
    return (
      <>
        <h1>You are invited to a Kairos project</h1>
        <p className="lead">
          Log in to accept, or create your account first with the address the invitation was sent to. The link works
          once, within 7 days.
        </p>
        <div className="form-actions">
          <Link className="button button--primary" to={`/login?next=${encodeURIComponent(here)}`}>
            Log in to accept
          </Link>
          <Link className="button" to="/register">
            Create an account
          </Link>
        </div>
      </>
    );
  }
  const accept = async (event: FormEvent) => {
    event.preventDefault();
    const project = await action.run(token);
    forgetInvitation(); // used or refused: the next log-in need not come back here
    if (project) navigate(projectPath(project.id), { replace: true });
  };
  return (
    <form onSubmit={accept}>
      <h1>Join the project</h1>
      <p className="lead">You were invited to a Kairos project. Accept to see it beside your own projects.</p>
      <FormAlert error={action.error} />
      <div className="form-actions">
        <SubmitButton busy={action.busy} busyLabel="Joining…">
          Accept invitation
        </SubmitButton>
      </div>
    </form>
  );
}

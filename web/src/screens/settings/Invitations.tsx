// Inviting someone by email (a link valid 7 days, mailed to them), the pending invitations, withdrawing one.
import { useState, type FormEvent } from "react";
import { invite, listInvitations, withdrawInvitation, type Invitation } from "../../api/members";
import type { Project } from "../../api/projects";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { EmailField } from "../../components/Field";
import { FormAlert, SubmitButton } from "../../components/Form";
import { Loaded } from "../../components/Status";
import { formatDateTime } from "../../format";
import { useAction, useResource } from "../../hooks";
import { RowAction, Table } from "../../components/Table";

export function Invitations({ project }: { project: Project }) {
  const invitations = useResource(() => listInvitations(project.id), [project.id]);
  const [email, setEmail] = useState("");
  const [sent, setSent] = useState<string | null>(null);
  const [withdrawing, setWithdrawing] = useState<Invitation | null>(null);
  const action = useAction(invite);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSent(null);
    const invitation = await action.run(project.id, email.trim());
    if (!invitation) return;
    setSent(`An invitation is on its way to ${invitation.email}.`);
    setEmail("");
    invitations.reload();
  };

  return (
    <section className="panel" aria-labelledby="invitations">
      <h2 id="invitations">Invitations</h2>
      <form onSubmit={submit} noValidate>
        <FormAlert error={action.error} fields={["email"]}>{sent}</FormAlert>
        <EmailField
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          hint="We mail them a link to join, valid for 7 days. They log in, or register with this address, to accept."
          error={action.error?.field("email")}
        />
        <div className="form-actions">
          <SubmitButton busy={action.busy} busyLabel="Sending…">
            Send invitation
          </SubmitButton>
        </div>
      </form>
      <h3>Pending invitations</h3>
      <Loaded resource={invitations}>
        {(list) =>
          list.length === 0 ? (
            <p className="muted">No pending invitations.</p>
          ) : (
            <Table columns={["Email", "Sent", "Expires"]} actions>
              {list.map((invitation) => (
                <tr key={invitation.id}>
                  <th scope="row">{invitation.email}</th>
                  <td className="nowrap">{formatDateTime(invitation.created_at)}</td>
                  <td className="nowrap">{formatDateTime(invitation.expires_at)}</td>
                  <td className="actions">
                    <RowAction
                      label={`Withdraw the invitation to ${invitation.email}`}
                      danger
                      onClick={() => setWithdrawing(invitation)}
                    >
                      Withdraw
                    </RowAction>
                  </td>
                </tr>
              ))}
            </Table>
          )
        }
      </Loaded>
      {withdrawing && (
        <ConfirmDialog
          title={`Withdraw the invitation to ${withdrawing.email}?`}
          confirmLabel="Withdraw invitation"
          busyLabel="Withdrawing…"
          danger
          onConfirm={() => withdrawInvitation(project.id, withdrawing.id)}
          onClose={(withdrawn) => {
            setWithdrawing(null);
            if (withdrawn) invitations.reload();
          }}
        >
          <p>The mailed link stops working at once.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}

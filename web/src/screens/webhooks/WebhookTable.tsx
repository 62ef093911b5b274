// The project's webhooks: url (to its deliveries), events, enabled (a switch), created; rotate the secret
// and delete, each in a dialog.
import { useState } from "react";
import { Link } from "react-router";
import { changeWebhook, deleteWebhook, rotateSecret, type Webhook, type WebhookWithSecret } from "../../api/webhooks";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { Dialog } from "../../components/Dialog";
import { FormAlert } from "../../components/Form";
import { formatDateTime } from "../../format";
import { useAction } from "../../hooks";
import { PROJECT, projectPath } from "../../paths";
import { eventSummary } from "./EventPicker";
import { WebhookSecret } from "./WebhookSecret";
import { RowAction, Table } from "../../components/Table";

interface TableProps {
  project: string;
  webhooks: Webhook[];
  onChanged: () => void;
}

export const webhookPath = (project: string, webhook: string): string =>
  `${projectPath(project, `${PROJECT}/webhooks`)}/${webhook}`;

export function WebhookTable({ project, webhooks, onChanged }: TableProps) {
  const [rotating, setRotating] = useState<Webhook | null>(null);
  const [deleting, setDeleting] = useState<Webhook | null>(null);
  const [switched, setSwitched] = useState<Record<string, boolean>>({}); // shown at once, until the API says no
  const toggle = useAction((webhook: Webhook, enabled: boolean) => changeWebhook(project, webhook.id, { enabled }));
  const enabled = (webhook: Webhook): boolean => switched[webhook.id] ?? webhook.enabled;
  const flip = async (webhook: Webhook) => {
    const wanted = !enabled(webhook);
    setSwitched((all) => ({ ...all, [webhook.id]: wanted }));
    if (await toggle.run(webhook, wanted)) onChanged();
    else setSwitched(({ [webhook.id]: _, ...others }) => others);
  };
  if (webhooks.length === 0) {
    return <p className="muted">No webhooks yet: add the first one above.</p>;
  }
  return (
    <>
      <FormAlert error={toggle.error} />
      <Table columns={["URL", "Events", "Enabled", "Created"]} actions>
        {webhooks.map((webhook) => (
          <tr key={webhook.id}>
            <th scope="row" className="webhook-url">
              <Link to={webhookPath(project, webhook.id)} className="truncate" title={webhook.url}>
                {webhook.url}
              </Link>
              {webhook.description && <div className="muted">{webhook.description}</div>}
            </th>
            <td>{eventSummary(webhook.events)}</td>
            <td>
              <label className="switch">
                <input
                  type="checkbox"
                  role="switch"
                  checked={enabled(webhook)}
                  disabled={toggle.busy}
                  onChange={() => flip(webhook)}
                />
                <span className="visually-hidden">Enabled: {webhook.url}</span>
                <span aria-hidden="true">{enabled(webhook) ? "On" : "Off"}</span>
              </label>
            </td>
            <td className="nowrap">{formatDateTime(webhook.created_at)}</td>
            <td className="actions">
              <Link className="button button--small" to={webhookPath(project, webhook.id)} aria-label={`Deliveries of ${webhook.url}`}>
                Deliveries
              </Link>
              <RowAction label={`Rotate secret of ${webhook.url}`} onClick={() => setRotating(webhook)}>
                Rotate secret
              </RowAction>
              <RowAction label={`Delete ${webhook.url}`} danger onClick={() => setDeleting(webhook)}>
                Delete
              </RowAction>
            </td>
          </tr>
        ))}
      </Table>
      {rotating && <RotateSecret project={project} webhook={rotating} onClose={() => setRotating(null)} />}
      {deleting && (
        <ConfirmDelete
          project={project}
          webhook={deleting}
          onClose={(deleted) => {
            setDeleting(null);
            if (deleted) onChanged();
          }}
        />
      )}
    </>
  );
}

function RotateSecret({ project, webhook, onClose }: { project: string; webhook: Webhook; onClose: () => void }) {
  const [rotated, setRotated] = useState<WebhookWithSecret | null>(null);
  const action = useAction(() => rotateSecret(project, webhook.id));
  return (
    <Dialog title={`Rotate the secret of ${webhook.url}?`} open onClose={onClose}>
      <FormAlert error={action.error} />
      {rotated ? (
        <WebhookSecret webhook={rotated} onDone={onClose} />
      ) : (
        <>
          <p>
            A new signing secret is made and shown once. The current one keeps working for 24 hours beside it, so your
            receiver can switch without missing a delivery.
          </p>
          <div className="form-actions">
            <button
              type="button"
              className="button button--primary"
              disabled={action.busy}
              onClick={async () => setRotated((await action.run()) ?? null)}
            >
              {action.busy ? "Rotating…" : "Rotate secret"}
            </button>
            <button type="button" className="button" onClick={onClose} data-autofocus>
              Cancel
            </button>
          </div>
        </>
      )}
    </Dialog>
  );
}

function ConfirmDelete(props: { project: string; webhook: Webhook; onClose: (deleted: boolean) => void }) {
  const { project, webhook, onClose } = props;
  return (
    <ConfirmDialog
      title={`Delete the webhook to ${webhook.url}?`}
      confirmLabel="Delete webhook"
      busyLabel="Deleting…"
      danger
      onConfirm={() => deleteWebhook(project, webhook.id)}
      onClose={onClose}
    >
      <p>Kairos stops sending events to this URL at once, and its delivery log is deleted with it.</p>
    </ConfirmDialog>
  );
}

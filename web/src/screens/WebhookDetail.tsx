// One webhook and its deliveries, newest first: status, attempts, the receiver's response code, time; a
// redelivery sends the same event again as a new delivery. The list follows new deliveries while it shows.
import { useState } from "react";
import { Link, useParams } from "react-router";
import { listDeliveries, listWebhooks, redeliver, type Delivery } from "../api/webhooks";
import { FormAlert } from "../components/Form";
import { Loaded, NotFoundState } from "../components/Status";
import { formatDateTime, formatDuration } from "../format";
import { useAction, useFollow, useResource, useTitle } from "../hooks";
import { useProjectId } from "../projects";
import { PROJECT, projectPath } from "../paths";
import { StatusBadge } from "./requests/StatusBadge";
import { eventSummary } from "./webhooks/EventPicker";
import { RowAction, Table } from "../components/Table";

const REFRESH_MS = 3000;
const STATUS_BADGE: Record<Delivery["status"], string> = { succeeded: "success", pending: "warning", dead: "error" };

export function WebhookDetail() {
  const project = useProjectId();
  const { webhook: id = "" } = useParams();
  const webhooks = useResource(() => listWebhooks(project), [project]);
  const deliveries = useResource(() => listDeliveries(project, id), [project, id]);
  const webhook = webhooks.data?.find((candidate) => candidate.id === id);
  useTitle(webhook ? `Webhook ${webhook.url}` : "Webhook");

  useFollow(deliveries.reload, REFRESH_MS, !deliveries.error && webhook !== undefined);

  return (
    <>
      <p>
        <Link to={projectPath(project, `${PROJECT}/webhooks`)}>← Webhooks</Link>
      </p>
      <Loaded resource={webhooks}>
        {() =>
          webhook ? (
            <>
              <header className="page-header">
                <h1 className="webhook-url">{webhook.url}</h1>
                <p className="muted">
                  {eventSummary(webhook.events)} · {webhook.enabled ? "enabled" : "disabled"} · created{" "}
                  {formatDateTime(webhook.created_at)}
                </p>
              </header>
              <section className="panel" aria-labelledby="deliveries">
                <h2 id="deliveries">Deliveries</h2>
                <Loaded resource={deliveries}>
                  {(rows) => (
                    <DeliveryTable project={project} webhook={id} rows={rows} onRedelivered={deliveries.reload} />
                  )}
                </Loaded>
              </section>
            </>
          ) : (
            <NotFoundState title="Webhook not found" back={<span />}>
              This project has no webhook at this address: it was deleted, or the address is mistyped.
            </NotFoundState>
          )
        }
      </Loaded>
    </>
  );
}

interface TableProps {
  project: string;
  webhook: string;
  rows: Delivery[];
  onRedelivered: () => void;
}

function DeliveryTable({ project, webhook, rows, onRedelivered }: TableProps) {
  const [queued, setQueued] = useState<string | null>(null);
  const action = useAction((delivery: Delivery) => redeliver(project, webhook, delivery.id));
  if (rows.length === 0) {
    return (
      <div className="empty-state">
        <h3>No deliveries yet</h3>
        <p>An event appears here a few seconds after a booking changes.</p>
      </div>
    );
  }
  return (
    <>
      <FormAlert error={action.error}>{queued}</FormAlert>
      <Table columns={["Event", "Status", "Attempts", "Response", "Time"]} actions>
        {rows.map((delivery) => (
          <tr key={delivery.id}>
            <th scope="row">
              <code>{delivery.event_type}</code>
            </th>
            <td>
              <span className={`badge badge--${STATUS_BADGE[delivery.status]}`}>{delivery.status}</span>
            </td>
            <td>{delivery.attempts}</td>
            <td title={delivery.error ?? undefined}>
              {delivery.response_code !== null ? <StatusBadge status={delivery.response_code} /> : <span className="muted">{delivery.error ? "No answer" : "–"}</span>}
              {delivery.duration_ms !== null && <span className="muted"> {formatDuration(delivery.duration_ms)}</span>}
            </td>
            <td className="nowrap">{formatDateTime(delivery.last_attempt_at ?? delivery.created_at)}</td>
            <td className="actions">
              <RowAction
                disabled={action.busy}
                onClick={async () => {
                  if (!(await action.run(delivery))) return;
                  setQueued(`The ${delivery.event_type} event is queued for delivery again.`);
                  onRedelivered();
                }}
              >
                Redeliver
              </RowAction>
            </td>
          </tr>
        ))}
      </Table>
    </>
  );
}

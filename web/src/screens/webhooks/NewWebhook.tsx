// The form that creates a webhook, and its signing secret, shown once.
import { useState, type FormEvent } from "react";
import { ALL_EVENTS, createWebhook, type WebhookWithSecret } from "../../api/webhooks";
import { Field } from "../../components/Field";
import { FormAlert, SubmitButton } from "../../components/Form";
import { useAction } from "../../hooks";
import { lengthProblem } from "../../words";
import { EventPicker } from "./EventPicker";
import { WebhookSecret } from "./WebhookSecret";

interface NewWebhookProps {
  project: string;
  events: string[];
  onCreated: () => void;
}

export function NewWebhook({ project, events, onCreated }: NewWebhookProps) {
  const [url, setUrl] = useState("");
  const [description, setDescription] = useState("");
  const [selected, setSelected] = useState<string[]>([ALL_EVENTS]);
  const [created, setCreated] = useState<WebhookWithSecret | null>(null);
  const action = useAction(createWebhook);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (lengthProblem(url, 2048) || lengthProblem(description, 1000)) return; // said at the field
    const webhook = await action.run(project, { url: url.trim(), events: selected, description: description.trim() || null });
    if (!webhook) return;
    setCreated(webhook);
    setUrl("");
    setDescription("");
    setSelected([ALL_EVENTS]);
    onCreated();
  };

  return (
    <section className="panel" aria-labelledby="create-webhook">
      <h2 id="create-webhook">Add a webhook</h2>
      {created && <WebhookSecret webhook={created} onDone={() => setCreated(null)} />}
      <form onSubmit={submit} noValidate>
        <FormAlert error={action.error} fields={["url", "events", "description"]} />
        <Field
          label="Endpoint URL"
          type="url"
          required
          limit={2048}
          placeholder="https://example.com/kairos/webhook"
          value={url}
          onChange={(e) => setUrl(e.target.value)}
          hint="Your server's address for the POST requests; it must be reachable from the internet."
          error={action.error?.field("url")}
        />
        <Field
          label="Description (optional)"
          limit={1000}
          value={description}
          onChange={(e) => setDescription(e.target.value)}
          error={action.error?.field("description")}
        />
        <EventPicker events={events} selected={selected} onChange={setSelected} error={action.error?.field("events")} />
        <div className="form-actions">
          <SubmitButton busy={action.busy} busyLabel="Adding…" disabled={selected.length === 0}>
            Add webhook
          </SubmitButton>
        </div>
      </form>
    </section>
  );
}

import { listWebhookEvents, listWebhooks } from "../api/webhooks";
import { Loaded } from "../components/Status";
import { useResource } from "../hooks";
import { useProjectId } from "../projects";
import { NewWebhook } from "./webhooks/NewWebhook";
import { WebhookTable } from "./webhooks/WebhookTable";

export function Webhooks() {
  const project = useProjectId();
  const events = useResource(listWebhookEvents, []);
  const webhooks = useResource(() => listWebhooks(project), [project]);
  return (
    <>
      <header className="page-header">
        <h1>Webhooks</h1>
        <p className="muted">
          Kairos sends a signed <code>POST</code> to your URL when a booking changes, and tries again for a day when
          your server does not answer with a 2xx.
        </p>
      </header>
      <Loaded resource={events}>
        {(all) => <NewWebhook key={project} project={project} events={all} onCreated={webhooks.reload} />}
      </Loaded>
      <section className="panel" aria-labelledby="webhook-list">
        <h2 id="webhook-list">Your webhooks</h2>
        <Loaded resource={webhooks}>
          {(list) => <WebhookTable project={project} webhooks={list} onChanged={webhooks.reload} />}
        </Loaded>
      </section>
    </>
  );
}

// A webhook's signing secret, as the API shows it once: on creation and after a rotation.
import type { WebhookWithSecret } from "../../api/webhooks";
import { ShownOnce } from "../../components/ShownOnce";
import { formatDateTime } from "../../format";

export function WebhookSecret({ webhook, onDone }: { webhook: WebhookWithSecret; onDone: () => void }) {
  const rotated = webhook.previous_secret_expires_at;
  return (
    <ShownOnce
      heading={rotated ? "The webhook's new signing secret" : "Your webhook's signing secret"}
      label="Signing secret"
      value={webhook.secret}
      copyLabel="Copy secret"
      onDone={onDone}
    >
      <p>
        <strong>Copy the secret now and store it with your receiver.</strong> This is the only time it will be shown:
        it cannot be retrieved later. Your receiver checks each delivery's <code>X-Kairos-Signature</code> header with it.
      </p>
      {rotated && <p>The previous secret keeps working until {formatDateTime(rotated)}, so your receiver can switch.</p>}
    </ShownOnce>
  );
}

// Two-factor authentication: off → password → QR code (and the key, to type by hand) → a code from the
// app turns it on; on → password and a current code turn it off. Losing the phone: the operator turns it
// off on a request from the account's address (said here, before it is needed).
import { useState, type FormEvent } from "react";
import { disableTwoFactor, enableTwoFactor, getTwoFactor, startTwoFactor, type TwoFactorSetup } from "../../api/security";
import { Field, PasswordField } from "../../components/Field";
import { FormAlert, SubmitButton } from "../../components/Form";
import { QrCode } from "../../components/QrCode";
import { ErrorState, Loading } from "../../components/Status";
import { useAction, useResource } from "../../hooks";

const RECOVERY =
  "If you lose your phone, write to your Kairos operator from this account's address: they can turn two-factor " +
  "authentication off so that you log in with your password and set it up again. You may also keep the key " +
  "shown at set-up somewhere safe: an authenticator app on another device can be set up with it.";

export function CodeField(props: { value: string; onChange: (code: string) => void; error?: string }) {
  return (
    <Field
      label="Authentication code"
      hint="The 6-digit code your authenticator app shows now."
      inputMode="numeric"
      autoComplete="one-time-code"
      pattern="[0-9]*"
      required
      value={props.value}
      onChange={(e) => props.onChange(e.target.value.replace(/\s/g, ""))}
      error={props.error}
    />
  );
}

export function TwoFactor() {
  const status = useResource(getTwoFactor, []);
  const [password, setPassword] = useState("");
  const [code, setCode] = useState("");
  const [setup, setSetup] = useState<TwoFactorSetup | null>(null);
  const [done, setDone] = useState("");
  const start = useAction(startTwoFactor);
  const enable = useAction(enableTwoFactor);
  const disable = useAction(disableTwoFactor);
  const enabled = status.data?.enabled ?? false;
  const failed = setup ? enable.error : enabled ? disable.error : start.error;

  const finish = (message: string) => {
    setSetup(null);
    setPassword("");
    setCode("");
    setDone(message);
    status.reload();
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setDone("");
    if (setup) {
      if (await enable.run(password, code)) finish("Two-factor authentication is on.");
    } else if (enabled) {
      if (await disable.run(password, code)) finish("Two-factor authentication is off.");
    } else {
      const started = await start.run(password);
      if (started) setSetup(started);
    }
  };

  let body;
  if (status.loading && !status.data) body = <Loading />;
  else if (status.error) body = <ErrorState error={status.error} onRetry={status.reload} />;
  else
    body = (
      <form onSubmit={submit} noValidate>
        <FormAlert error={failed}>{done}</FormAlert>
        <p>
          {enabled
            ? "On: every log-in asks for a code from your authenticator app."
            : "Off: a log-in asks for your password only. With it on, a log-in also needs the code your phone's authenticator app shows."}
        </p>
        {setup && (
          <div className="two-factor-setup">
            <QrCode value={setup.otpauth_uri} label="QR code to scan with your authenticator app" />
            <div>
              <p>Scan this code with an authenticator app (Google Authenticator, 1Password, Authy…), or type the key:</p>
              <p>
                <code className="two-factor-key">{setup.secret}</code>
              </p>
            </div>
          </div>
        )}
        <PasswordField
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={failed?.field("password")}
          disabled={setup !== null}
        />
        {(setup || enabled) && <CodeField value={code} onChange={setCode} error={failed?.field("code")} />}
        <div className="form-actions">
          <SubmitButton busy={start.busy || enable.busy || disable.busy}>
            {setup ? "Turn on" : enabled ? "Turn off two-factor authentication" : "Set up two-factor authentication"}
          </SubmitButton>
          {setup && (
            <button type="button" className="button" onClick={() => finish("")}>
              Cancel
            </button>
          )}
        </div>
        <p className="muted">{RECOVERY}</p>
      </form>
    );
  return (
    <section className="panel" aria-labelledby="two-factor">
      <h2 id="two-factor">Two-factor authentication</h2>
      {body}
    </section>
  );
}

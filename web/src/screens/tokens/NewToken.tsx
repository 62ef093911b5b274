// The form that creates a token, and the token's value, shown once.
import { useState, type FormEvent } from "react";
import { createToken, type CreatedToken } from "../../api/tokens";
import { Field } from "../../components/Field";
import { FormAlert, SubmitButton } from "../../components/Form";
import { ShownOnce } from "../../components/ShownOnce";
import { useAction } from "../../hooks";
import { lengthProblem, NAME_MAX } from "../../words";
import { TokenAccess } from "./TokenAccess";

interface NewTokenProps {
  project: string;
  abilities: string[];
  onCreated: () => void;
}

export function NewToken({ project, abilities, onCreated }: NewTokenProps) {
  const [name, setName] = useState("");
  const [selected, setSelected] = useState(() => new Set(abilities));
  const [created, setCreated] = useState<CreatedToken | null>(null);
  const action = useAction(createToken);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (lengthProblem(name, NAME_MAX)) return; // said at the field
    const token = await action.run(project, name.trim(), abilities.filter((a) => selected.has(a)));
    if (!token) return;
    setCreated(token);
    setName("");
    setSelected(new Set(abilities));
    onCreated();
  };

  return (
    <section className="panel" aria-labelledby="create-token">
      <h2 id="create-token">Create API token</h2>
      {created && <CreatedTokenValue token={created} onDone={() => setCreated(null)} />}
      <form onSubmit={submit} noValidate>
        <FormAlert error={action.error} fields={["name", "abilities"]} />
        <Field
          label="Token name"
          required
          limit={NAME_MAX}
          value={name}
          onChange={(e) => setName(e.target.value)}
          hint="What uses it, e.g. “booking widget” or “back office”."
          error={action.error?.field("name")}
        />
        <TokenAccess key={created?.id ?? "new"} abilities={abilities} selected={selected} onChange={setSelected} />
        {action.error?.field("abilities") && <p className="field__error">{action.error.field("abilities")}</p>}
        <p className="muted">
          Give each token only the abilities it needs: a token in a web page can be read by anyone who loads it.
        </p>
        <div className="form-actions">
          <SubmitButton busy={action.busy} busyLabel="Creating…">
            Create
          </SubmitButton>
        </div>
      </form>
    </section>
  );
}

function CreatedTokenValue({ token, onDone }: { token: CreatedToken; onDone: () => void }) {
  return (
    <ShownOnce heading={`Your new API token “${token.name}”`} label="New API token" value={token.token} copyLabel="Copy token" onDone={onDone}>
      <p>
        <strong>Copy your token now and store it somewhere safe.</strong> This is the only time it will be shown: it
        cannot be retrieved later.
      </p>
    </ShownOnce>
  );
}

import { useState, type FormEvent } from "react";
import { renameProject } from "../../api/members";
import type { Project } from "../../api/projects";
import { Field } from "../../components/Field";
import { FormAlert, SubmitButton } from "../../components/Form";
import { useAction } from "../../hooks";
import { lengthProblem, NAME_MAX } from "../../words";

interface NameProps {
  project: Project;
  owner: boolean;
  onChanged: () => void;
}

export function ProjectName({ project, owner, onChanged }: NameProps) {
  const [name, setName] = useState(project.name);
  const action = useAction(renameProject);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (lengthProblem(name, NAME_MAX)) return; // said at the field
    if (await action.run(project.id, name.trim())) onChanged();
  };
  return (
    <section className="panel" aria-labelledby="project-name">
      <h2 id="project-name">Project name</h2>
      {owner ? (
        <form onSubmit={submit} noValidate className="inline-form">
          <FormAlert error={action.error} fields={["name"]} />
          <Field
            label="Name"
            required
            limit={NAME_MAX}
            value={name}
            onChange={(e) => setName(e.target.value)}
            error={action.error?.field("name")}
          />
          <div className="form-actions">
            <SubmitButton busy={action.busy} busyLabel="Saving…" disabled={name.trim() === project.name}>
              Rename
            </SubmitButton>
          </div>
        </form>
      ) : (
        <p>{project.name}</p>
      )}
    </section>
  );
}

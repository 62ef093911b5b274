import { useState, type FormEvent } from "react";
import { useNavigate } from "react-router";
import { createProject } from "../api/projects";
import { Field } from "../components/Field";
import { FormAlert, SubmitButton } from "../components/Form";
import { useAction } from "../hooks";
import { useProjects } from "../projects";
import { projectPath } from "../paths";
import { useSession } from "../session";
import { lengthProblem, NAME_MAX } from "../words";

export function NewProject() {
  const [name, setName] = useState("");
  const { account } = useSession();
  const { projects } = useProjects();
  const navigate = useNavigate();
  const action = useAction(createProject);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (lengthProblem(name, NAME_MAX)) return; // said at the field
    const created = await action.run(name.trim());
    if (!created) return;
    projects.setData([...(projects.data ?? []), created]); // selectable at once, in its place after the reload
    projects.reload();
    navigate(projectPath(created.id));
  };

  return (
    <section className="narrow">
      <header className="page-header">
        <h1>Create project</h1>
        <p className="muted">Create a new project and collaborate with others. New projects are on the free plan.</p>
      </header>
      <form className="panel" onSubmit={submit} noValidate>
        <FormAlert error={action.error} fields={["name"]} />
        <div className="field">
          <span className="field__label" id="project-owner">
            Project owner
          </span>
          <p className="owner" aria-labelledby="project-owner">
            <strong>{account?.name}</strong> <span className="muted">{account?.email}</span>
          </p>
        </div>
        <Field
          label="Project name"
          required
          limit={NAME_MAX}
          value={name}
          onChange={(e) => setName(e.target.value)}
          error={action.error?.field("name")}
          autoFocus
        />
        <div className="form-actions">
          <SubmitButton busy={action.busy} busyLabel="Creating…">
            Create
          </SubmitButton>
        </div>
      </form>
    </section>
  );
}

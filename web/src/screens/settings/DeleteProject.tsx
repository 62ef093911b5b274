// Deleting the project: its tokens stop at once and every member loses it; the name is typed to confirm.
import { useState } from "react";
import { useNavigate } from "react-router";
import { deleteProject } from "../../api/members";
import type { Project } from "../../api/projects";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { Field } from "../../components/Field";

export function DeleteProject({ project, onDeleted }: { project: Project; onDeleted: () => void }) {
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState("");
  const navigate = useNavigate();
  return (
    <section className="panel panel--danger" aria-labelledby="delete-project">
      <h2 id="delete-project">Delete this project</h2>
      <p>Its API tokens stop working at once and every member loses access. This cannot be undone.</p>
      <button type="button" className="button button--danger" onClick={() => setOpen(true)}>
        Delete project…
      </button>
      {open && (
        <ConfirmDialog
          title={`Delete ${project.name}?`}
          confirmLabel="Delete project"
          busyLabel="Deleting…"
          danger
          disabled={typed !== project.name}
          onConfirm={() => deleteProject(project.id)}
          onClose={(deleted) => {
            setOpen(false);
            setTyped("");
            if (!deleted) return;
            onDeleted();
            navigate("/", { replace: true });
          }}
        >
          <p>Every API token of {project.name} is revoked and its members lose it.</p>
          <Field
            label={`Type “${project.name}” to confirm`}
            autoComplete="off"
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
          />
        </ConfirmDialog>
      )}
    </section>
  );
}

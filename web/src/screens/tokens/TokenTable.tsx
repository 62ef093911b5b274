// The project's tokens: name, abilities, created, last used; edit abilities and delete, each in a dialog.
import { useState, type FormEvent } from "react";
import { changeToken, deleteToken, type ApiToken } from "../../api/tokens";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { Dialog } from "../../components/Dialog";
import { FormAlert, SubmitButton } from "../../components/Form";
import { formatDateTime } from "../../format";
import { useAction } from "../../hooks";
import { abilitySummary } from "./AbilityPicker";
import { TokenAccess } from "./TokenAccess";
import { RowAction, Table } from "../../components/Table";

interface TableProps {
  project: string;
  tokens: ApiToken[];
  abilities: string[];
  onChanged: () => void;
}

export function TokenTable({ project, tokens, abilities, onChanged }: TableProps) {
  const [editing, setEditing] = useState<ApiToken | null>(null);
  const [deleting, setDeleting] = useState<ApiToken | null>(null);
  if (tokens.length === 0) {
    return <p className="muted">No tokens yet: create the first one above.</p>;
  }
  return (
    <>
      <Table columns={["Name", "Abilities", "Created", "Last used"]} actions>
        {tokens.map((token) => (
          <tr key={token.id}>
            <th scope="row">{token.name}</th>
            <td title={token.abilities.join(", ")}>{abilitySummary(token.abilities, abilities)}</td>
            <td>{formatDateTime(token.created_at)}</td>
            <td>{token.last_used_at ? formatDateTime(token.last_used_at) : <span className="muted">Never</span>}</td>
            <td className="actions">
              <RowAction label={`Edit abilities of ${token.name}`} onClick={() => setEditing(token)}>
                Edit abilities
              </RowAction>
              <RowAction label={`Delete ${token.name}`} danger onClick={() => setDeleting(token)}>
                Delete
              </RowAction>
            </td>
          </tr>
        ))}
      </Table>
      {editing && (
        <EditAbilities
          project={project}
          token={editing}
          abilities={abilities}
          onClose={(changed) => {
            setEditing(null);
            if (changed) onChanged();
          }}
        />
      )}
      {deleting && (
        <ConfirmDelete
          project={project}
          token={deleting}
          onClose={(deleted) => {
            setDeleting(null);
            if (deleted) onChanged();
          }}
        />
      )}
    </>
  );
}

function EditAbilities(props: { project: string; token: ApiToken; abilities: string[]; onClose: (changed: boolean) => void }) {
  const { project, token, abilities, onClose } = props;
  const [selected, setSelected] = useState(() => new Set(token.abilities));
  const action = useAction(changeToken);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (await action.run(project, token.id, abilities.filter((a) => selected.has(a)))) onClose(true);
  };
  return (
    <Dialog title={`Abilities of “${token.name}”`} open onClose={() => onClose(false)}>
      <form onSubmit={submit} className="dialog__wide">
        <FormAlert error={action.error} />
        <TokenAccess abilities={abilities} selected={selected} onChange={setSelected} />
        <p className="muted">Changes take effect within a minute.</p>
        <div className="form-actions">
          <SubmitButton busy={action.busy} busyLabel="Saving…">
            Save
          </SubmitButton>
          <button type="button" className="button" onClick={() => onClose(false)}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function ConfirmDelete({ project, token, onClose }: { project: string; token: ApiToken; onClose: (deleted: boolean) => void }) {
  return (
    <ConfirmDialog
      title={`Delete “${token.name}”?`}
      confirmLabel="Delete token"
      busyLabel="Deleting…"
      danger
      onConfirm={() => deleteToken(project, token.id)}
      onClose={onClose}
    >
      <p>
        Requests made with this token are refused within a minute. Anything that still uses it stops working; this
        cannot be undone.
      </p>
    </ConfirmDialog>
  );
}

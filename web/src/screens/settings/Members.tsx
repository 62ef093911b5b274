// The project's members, the owner first and marked; the owner removes the others.
import { useState } from "react";
import { listMembers, removeMember, type Member } from "../../api/members";
import type { Project } from "../../api/projects";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { Loaded } from "../../components/Status";
import { formatDateTime } from "../../format";
import { useResource } from "../../hooks";
import { RowAction, Table } from "../../components/Table";

const who = (member: Member): string => member.name || member.email || "A former account";

export function Members({ project, owner }: { project: Project; owner: boolean }) {
  const members = useResource(() => listMembers(project.id), [project.id]);
  const [removing, setRemoving] = useState<Member | null>(null);
  return (
    <section className="panel" aria-labelledby="members">
      <h2 id="members">Members</h2>
      <Loaded resource={members}>
        {(list) => (
          <Table columns={["Name", "Email", "Role", "Joined"]} actions>
            {list.map((member) => (
              <tr key={member.id}>
                <th scope="row">{who(member)}</th>
                <td>{member.email}</td>
                <td>
                  {member.role === "owner" ? <span className="badge badge--success">Owner</span> : "Member"}
                </td>
                <td className="nowrap">{formatDateTime(member.joined_at)}</td>
                <td className="actions">
                  {owner && member.role !== "owner" && (
                    <RowAction label={`Remove ${who(member)}`} danger onClick={() => setRemoving(member)}>
                      Remove
                    </RowAction>
                  )}
                </td>
              </tr>
            ))}
          </Table>
        )}
      </Loaded>
      {removing && (
        <ConfirmDialog
          title={`Remove ${who(removing)}?`}
          confirmLabel="Remove member"
          busyLabel="Removing…"
          danger
          onConfirm={() => removeMember(project.id, removing.id)}
          onClose={(removed) => {
            setRemoving(null);
            if (removed) members.reload();
          }}
        >
          <p>They no longer see {project.name}. The tokens they made keep working until you delete them.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}

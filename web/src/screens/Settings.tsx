// The project's settings: its name, its plan, its members and invitations, and deleting it. The owner
// changes them; a member sees them read-only.
import { useProjects } from "../projects";
import { Loading } from "../components/Status";
import { DeleteProject } from "./settings/DeleteProject";
import { Invitations } from "./settings/Invitations";
import { Members } from "./settings/Members";
import { PlanTable } from "./settings/PlanTable";
import { ProjectName } from "./settings/ProjectName";

export function Settings() {
  const { current, projects } = useProjects();
  if (!current) return <Loading />;
  const owner = current.role === "owner";
  return (
    <>
      <header className="page-header">
        <h1>Settings</h1>
        <p className="muted">
          {owner ? "You own this project." : "Only the project's owner can change these settings."}
        </p>
      </header>
      <div className="settings">
        <ProjectName key={`${current.id}/${current.name}`} project={current} owner={owner} onChanged={projects.reload} />
        <PlanTable project={current} owner={owner} onChanged={projects.reload} />
        <Members project={current} owner={owner} />
        {owner && <Invitations project={current} />}
        {owner && (
          <DeleteProject
            project={current}
            onDeleted={() => projects.setData((projects.data ?? []).filter((p) => p.id !== current.id))}
          />
        )}
      </div>
    </>
  );
}

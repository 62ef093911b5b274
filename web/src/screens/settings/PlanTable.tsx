// The plans and their limits, the project's marked; the owner switches plans (at once, after a confirmation).
import { useState } from "react";
import { changePlan, listPlans } from "../../api/members";
import type { Plan, Project } from "../../api/projects";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { Loaded } from "../../components/Status";
import { formatNumber } from "../../format";
import { useResource } from "../../hooks";
import { RowAction, Table } from "../../components/Table";

interface PlanProps {
  project: Project;
  owner: boolean;
  onChanged: () => void;
}

const limit = (value: number | null): string => (value === null ? "Unlimited" : formatNumber(value));
const planName = (name: string): string => name.charAt(0).toUpperCase() + name.slice(1);

export function PlanTable({ project, owner, onChanged }: PlanProps) {
  const plans = useResource(listPlans, []);
  const [choosing, setChoosing] = useState<Plan | null>(null);
  return (
    <section className="panel" aria-labelledby="plan">
      <h2 id="plan">Plan</h2>
      <p className="muted">A change takes effect at once, with the new plan's per-minute limit.</p>
      <Loaded resource={plans}>
        {(list) => (
          <Table columns={["Plan", "Requests per minute", "Requests per month"]} actions>
            {list.map((plan) => {
              const current = plan.name === project.plan.name;
              return (
                <tr key={plan.name} aria-current={current ? "true" : undefined}>
                  <th scope="row">
                    {planName(plan.name)} {current && <span className="badge badge--success">Current plan</span>}
                  </th>
                  <td>{limit(plan.requests_per_minute)}</td>
                  <td>{limit(plan.requests_per_month)}</td>
                  <td className="actions">
                    {owner && !current && (
                      <RowAction onClick={() => setChoosing(plan)}>
                        Switch to {planName(plan.name)}
                      </RowAction>
                    )}
                  </td>
                </tr>
              );
            })}
          </Table>
        )}
      </Loaded>
      {choosing && (
        <SwitchPlan
          project={project}
          plan={choosing}
          onClose={(changed) => {
            setChoosing(null);
            if (changed) onChanged();
          }}
        />
      )}
    </section>
  );
}

function SwitchPlan({ project, plan, onClose }: { project: Project; plan: Plan; onClose: (changed: boolean) => void }) {
  return (
    <ConfirmDialog
      title={`Switch to the ${planName(plan.name)} plan?`}
      confirmLabel={`Switch to ${planName(plan.name)}`}
      busyLabel="Switching…"
      onConfirm={() => changePlan(project.id, plan.name)}
      onClose={onClose}
    >
      <p>
        {project.name} moves from {planName(project.plan.name)} to {planName(plan.name)} at once:{" "}
        {limit(plan.requests_per_minute)} requests per minute, {limit(plan.requests_per_month)} per month.
      </p>
    </ConfirmDialog>
  );
}

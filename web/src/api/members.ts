// A project's settings beyond its name: plans, members and invitations (/portal/plans,
// /portal/projects/{project}/{plan,members,invitations}), and joining with an invitation.
import { del, get, patch, post, put } from "./client";
import type { Plan, Project } from "./projects";

export interface Member {
  id: string; // the account's
  name: string | null;
  email: string | null;
  role: "owner" | "member";
  joined_at: string;
}

export interface Invitation {
  id: string;
  email: string;
  invited_by: string;
  created_at: string;
  expires_at: string;
}

const base = (project: string) => `/projects/${project}`;

export const listPlans = () => get<{ data: Plan[] }>("/plans").then((page) => page.data);
export const renameProject = (project: string, name: string) => patch<Project>(base(project), { name });
export const deleteProject = (project: string) => del(base(project));
export const changePlan = (project: string, plan: string) => put<Project>(`${base(project)}/plan`, { plan });
export const listMembers = (project: string) =>
  get<{ data: Member[] }>(`${base(project)}/members`).then((page) => page.data);
export const removeMember = (project: string, account: string) => del(`${base(project)}/members/${account}`);
export const listInvitations = (project: string) =>
  get<{ data: Invitation[] }>(`${base(project)}/invitations`).then((page) => page.data);
export const invite = (project: string, email: string) => post<Invitation>(`${base(project)}/invitations`, { email });
export const withdrawInvitation = (project: string, invitation: string) =>
  del(`${base(project)}/invitations/${invitation}`);
export const acceptInvitation = (token: string) => post<Project>("/invitations/accept", { token });

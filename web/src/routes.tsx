// Every screen of the Portal, once: its path, its title, who may see it, and its label in the project
// navigation. Adding a screen is one entry here (and its file in screens/); the router (App.tsx) and the
// project navigation (layout/ProjectNav.tsx) are built from this list, in its order.
import type { ComponentType } from "react";
import { AcceptInvitation } from "./screens/AcceptInvitation";
import { ApiReference } from "./screens/ApiReference";
import { CheckEmail } from "./screens/CheckEmail";
import { ConfirmEmail } from "./screens/ConfirmEmail";
import { Dashboard } from "./screens/Dashboard";
import { ForgotPassword } from "./screens/ForgotPassword";
import { Home } from "./screens/Home";
import { LogIn } from "./screens/LogIn";
import { NewProject } from "./screens/NewProject";
import { Register } from "./screens/Register";
import { RequestDetail } from "./screens/RequestDetail";
import { Requests } from "./screens/Requests";
import { Security } from "./screens/Security";
import { ResetPassword } from "./screens/ResetPassword";
import { Settings } from "./screens/Settings";
import { Tokens } from "./screens/Tokens";
import { Verify } from "./screens/Verify";
import { WebhookDetail } from "./screens/WebhookDetail";
import { Webhooks } from "./screens/Webhooks";

export interface ScreenRoute {
  path: string;
  title: string; // the document's title (a screen may name its subject with useTitle)
  Screen: ComponentType;
  access: "public" | "signed-in"; // public: a card of its own; signed-in: in the app's top bar, after log-in
  nav?: string; // the label in the project navigation, for screens under /projects/:project
}

export const PROJECT = "/projects/:project";

export const ROUTES: ScreenRoute[] = [
  // --- before a session --------------------------------------------------------------------------------
  { path: "/register", title: "Create your account", Screen: Register, access: "public" },
  { path: "/check-email", title: "Check your email", Screen: CheckEmail, access: "public" },
  { path: "/verify", title: "Verify your email", Screen: Verify, access: "public" },
  { path: "/login", title: "Log in", Screen: LogIn, access: "public" },
  { path: "/forgot-password", title: "Forgotten password", Screen: ForgotPassword, access: "public" },
  { path: "/reset-password", title: "Choose a new password", Screen: ResetPassword, access: "public" },
  { path: "/invitations/accept", title: "Accept an invitation", Screen: AcceptInvitation, access: "public" },
  // --- signed in ---------------------------------------------------------------------------------------
  { path: "/", title: "Dashboard", Screen: Home, access: "signed-in" },
  { path: "/projects/new", title: "Create project", Screen: NewProject, access: "signed-in" },
  { path: "/account/security", title: "Account security", Screen: Security, access: "signed-in" },
  { path: "/change-email", title: "Confirm your new address", Screen: ConfirmEmail, access: "signed-in" },
  { path: "/api-reference", title: "API reference", Screen: ApiReference, access: "signed-in" },
  { path: PROJECT, title: "Dashboard", Screen: Dashboard, access: "signed-in", nav: "Dashboard" },
  { path: `${PROJECT}/tokens`, title: "API Tokens", Screen: Tokens, access: "signed-in", nav: "API Tokens" },
  { path: `${PROJECT}/requests`, title: "API Requests", Screen: Requests, access: "signed-in", nav: "API Requests" },
  { path: `${PROJECT}/requests/:request`, title: "API request", Screen: RequestDetail, access: "signed-in" },
  { path: `${PROJECT}/webhooks`, title: "Webhooks", Screen: Webhooks, access: "signed-in", nav: "Webhooks" },
  { path: `${PROJECT}/webhooks/:webhook`, title: "Webhook", Screen: WebhookDetail, access: "signed-in" },
  { path: `${PROJECT}/settings`, title: "Settings", Screen: Settings, access: "signed-in", nav: "Settings" },
];

/** A project screen's path for one project. */
export const projectPath = (project: string, path = PROJECT): string => path.replace(":project", project);

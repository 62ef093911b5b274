// Every screen of the Portal, once: its path, its title and who may see it. Adding a screen is one entry
// here (and its file in screens/; a project screen's path and navigation label in paths.ts); the router
// (App.tsx) is built from this list. Only App.tsx imports it: screens link with paths.ts.
import type { ComponentType } from "react";
import { PROJECT_PATHS } from "./paths";
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
}

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
  { path: PROJECT_PATHS.dashboard, title: "Dashboard", Screen: Dashboard, access: "signed-in" },
  { path: PROJECT_PATHS.tokens, title: "API Tokens", Screen: Tokens, access: "signed-in" },
  { path: PROJECT_PATHS.requests, title: "API Requests", Screen: Requests, access: "signed-in" },
  { path: PROJECT_PATHS.request, title: "API request", Screen: RequestDetail, access: "signed-in" },
  { path: PROJECT_PATHS.webhooks, title: "Webhooks", Screen: Webhooks, access: "signed-in" },
  { path: PROJECT_PATHS.webhook, title: "Webhook", Screen: WebhookDetail, access: "signed-in" },
  { path: PROJECT_PATHS.settings, title: "Settings", Screen: Settings, access: "signed-in" },
];

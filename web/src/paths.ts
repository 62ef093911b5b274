// The Portal's project paths and the project navigation, on a floor below the screens: screens and the
// layout link with these, and routes.tsx (which imports every screen) maps paths to screens. Nothing here
// imports a screen, so no screen imports the route list back (ARCHITECTURE.md, "The Portal app").

export const PROJECT = "/projects/:project";

export const PROJECT_PATHS = {
  dashboard: PROJECT,
  tokens: `${PROJECT}/tokens`,
  requests: `${PROJECT}/requests`,
  request: `${PROJECT}/requests/:request`,
  webhooks: `${PROJECT}/webhooks`,
  webhook: `${PROJECT}/webhooks/:webhook`,
  settings: `${PROJECT}/settings`,
} as const;

/** The selected project's screens in the project navigation, in its order. */
export const PROJECT_NAV: { path: string; label: string }[] = [
  { path: PROJECT_PATHS.dashboard, label: "Dashboard" },
  { path: PROJECT_PATHS.tokens, label: "API Tokens" },
  { path: PROJECT_PATHS.requests, label: "API Requests" },
  { path: PROJECT_PATHS.webhooks, label: "Webhooks" },
  { path: PROJECT_PATHS.settings, label: "Settings" },
];

/** A project screen's path for one project. */
export const projectPath = (project: string, path: string = PROJECT): string => path.replace(":project", project);

// The router, built from the route list: public screens in the card layout, the others in the app's
// layout behind the session check; any other path is "not found".
import { useLayoutEffect } from "react";
import { createBrowserRouter, Navigate, RouterProvider, useLocation, type RouteObject } from "react-router";
import { AppLayout } from "./layout/AppLayout";
import { CardLayout } from "./layout/CardLayout";
import { ROUTES, type ScreenRoute } from "./routes";
import { NotFound } from "./screens/NotFound";
import { useSession } from "./session";

/** Sets the route's title in a layout effect: a screen's own useTitle (a passive effect) runs after it. */
function Titled({ route }: { route: ScreenRoute }) {
  useLayoutEffect(() => {
    document.title = `${route.title} · Kairos Portal`;
  }, [route.title]);
  return <route.Screen />;
}

function RequireSession() {
  const { session } = useSession();
  const location = useLocation();
  if (!session) {
    const next = location.pathname + location.search;
    return <Navigate to={next === "/" ? "/login" : `/login?next=${encodeURIComponent(next)}`} replace />;
  }
  return <AppLayout />;
}

const screens = (access: ScreenRoute["access"]): RouteObject[] =>
  ROUTES.filter((route) => route.access === access).map((route) => ({
    path: route.path,
    element: <Titled route={route} />,
  }));

const router = createBrowserRouter([
  { element: <CardLayout />, children: screens("public") },
  { element: <RequireSession />, children: [...screens("signed-in"), { path: "*", element: <NotFound /> }] },
]);

export function App() {
  return <RouterProvider router={router} />;
}

// The signed-in app: the top bar (product, project selector, project navigation, account) over the screen.
import { useEffect, useState } from "react";
import { Link, Outlet, useLocation } from "react-router";
import { ProjectsProvider } from "../projects";
import { AccountMenu } from "./AccountMenu";
import { ProjectNav } from "./ProjectNav";
import { ProjectSelector } from "./ProjectSelector";

export function AppLayout() {
  const [menuOpen, setMenuOpen] = useState(false);
  const location = useLocation();
  useEffect(() => setMenuOpen(false), [location.pathname]);

  return (
    <ProjectsProvider>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link to="/" className="brand">
          <span className="brand__mark" aria-hidden="true">
            K
          </span>
          <span className="brand__name">Kairos</span>
        </Link>
        <ProjectSelector />
        <button
          type="button"
          className="topbar__menu button button--ghost"
          aria-expanded={menuOpen}
          aria-controls="topbar-menu"
          onClick={() => setMenuOpen(!menuOpen)}
        >
          Menu
        </button>
        <div id="topbar-menu" className={`topbar__menu-content${menuOpen ? " is-open" : ""}`}>
          <ProjectNav />
          <AccountMenu />
        </div>
      </header>
      <main id="main" className="page" tabIndex={-1}>
        <Outlet />
      </main>
    </ProjectsProvider>
  );
}

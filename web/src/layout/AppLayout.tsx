// The signed-in app: the top bar (product, project selector, project navigation, account) over the screen.
// At phone width the navigation folds behind "Menu", which Escape and any navigation close.
import { useEffect, useRef, useState } from "react";
import { Link, NavLink, Outlet, useLocation } from "react-router";
import { ProjectGate, ProjectsProvider } from "../projects";
import { AccountMenu } from "./AccountMenu";
import { ProjectNav } from "./ProjectNav";
import { ProjectSelector } from "./ProjectSelector";

export function AppLayout() {
  const [menuOpen, setMenuOpen] = useState(false);
  const location = useLocation();
  const menuButton = useRef<HTMLButtonElement>(null);
  useEffect(() => setMenuOpen(false), [location.pathname, location.search]);
  useEffect(() => {
    if (!menuOpen) return;
    const closeOnEscape = (event: KeyboardEvent) => {
      if (event.key !== "Escape") return;
      setMenuOpen(false);
      menuButton.current?.focus();
    };
    document.addEventListener("keydown", closeOnEscape);
    return () => document.removeEventListener("keydown", closeOnEscape);
  }, [menuOpen]);

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
          ref={menuButton}
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
          <NavLink to="/api-reference" className="topbar__link">
            API reference
          </NavLink>
          <AccountMenu />
        </div>
      </header>
      <main id="main" className="page" tabIndex={-1}>
        <ProjectGate>
          <Outlet />
        </ProjectGate>
      </main>
    </ProjectsProvider>
  );
}

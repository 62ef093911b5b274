// The screens before a session: one card in the middle of the page, under the product's name.
import { Link, Outlet } from "react-router";

export function CardLayout() {
  return (
    <div className="card-page">
      <Link to="/" className="brand brand--large">
        <span className="brand__mark" aria-hidden="true">
          K
        </span>
        Kairos
      </Link>
      <main id="main" className="card">
        <Outlet />
      </main>
    </div>
  );
}

// Who is logged in, their account's security, and log out.
import { Link, useNavigate } from "react-router";
import { logOut } from "../api/account";
import { useSession } from "../session";

export function AccountMenu() {
  const { account } = useSession();
  const navigate = useNavigate();
  return (
    <div className="account-menu">
      <span className="account-menu__name" title={account?.email}>
        {account?.name ?? ""}
      </span>
      <Link className="button button--ghost" to="/account/security">
        Security
      </Link>
      <button
        type="button"
        className="button button--ghost"
        onClick={async () => {
          await logOut().catch(() => undefined); // the session here ends either way
          navigate("/login");
        }}
      >
        Log out
      </button>
    </div>
  );
}

// The account's security: two-factor authentication, the address and deleting the account. Each asks for the password
// again (and a code, once two-factor authentication is on): a session left open is not enough.
import { useSession } from "../session";
import { ChangeEmail } from "./security/ChangeEmail";
import { DeleteAccount } from "./security/DeleteAccount";
import { TwoFactor } from "./security/TwoFactor";

export function Security() {
  const { account } = useSession();
  return (
    <>
      <header className="page-header">
        <h1>Account security</h1>
        <p className="muted">{account ? `${account.name} · ${account.email}` : ""}</p>
      </header>
      <div className="settings">
        <TwoFactor />
        <ChangeEmail />
        <DeleteAccount />
      </div>
    </>
  );
}

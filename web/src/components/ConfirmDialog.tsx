// A confirmation before an action the API cannot undo or that takes effect at once: what happens, the
// action's button, and Cancel (focused first: the safe choice). The API's failure is shown in the dialog.
import type { ReactNode } from "react";
import { useAction } from "../hooks";
import { Dialog } from "./Dialog";
import { FormAlert } from "./Form";

interface ConfirmProps {
  title: string;
  children: ReactNode; // what the action does
  confirmLabel: string;
  busyLabel: string;
  danger?: boolean;
  disabled?: boolean; // e.g. until a name is typed
  onConfirm: () => Promise<unknown>;
  onClose: (done: boolean) => void;
}

export function ConfirmDialog(props: ConfirmProps) {
  const { title, children, confirmLabel, busyLabel, danger = false, disabled = false, onConfirm, onClose } = props;
  const action = useAction(() => onConfirm().then(() => true));
  return (
    <Dialog title={title} open onClose={() => onClose(false)}>
      <FormAlert error={action.error} />
      {children}
      <div className="form-actions">
        <button
          type="button"
          className={`button ${danger ? "button--danger" : "button--primary"}`}
          disabled={action.busy || disabled}
          onClick={async () => {
            if (await action.run()) onClose(true);
          }}
        >
          {action.busy ? busyLabel : confirmLabel}
        </button>
        <button type="button" className="button" onClick={() => onClose(false)} data-autofocus>
          Cancel
        </button>
      </div>
    </Dialog>
  );
}

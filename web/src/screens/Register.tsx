import { useState, type ChangeEvent, type FormEvent } from "react";
import { Link, useNavigate } from "react-router";
import { register, type Registration } from "../api/account";
import { EmailField, Field, NewPasswordFields } from "../components/Field";
import { FormAlert, SubmitButton } from "../components/Form";
import { useAction } from "../hooks";
import { lengthProblem, NAME_MAX } from "../words";

export function Register() {
  const [form, setForm] = useState<Registration>({ name: "", email: "", password: "", password_confirmation: "" });
  const navigate = useNavigate();
  const action = useAction(register);
  const set = (name: keyof Registration) => (event: ChangeEvent<HTMLInputElement>) =>
    setForm({ ...form, [name]: event.target.value });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (lengthProblem(form.name, NAME_MAX)) return; // said at the field
    if (await action.run(form)) navigate(`/check-email?email=${encodeURIComponent(form.email)}`);
  };

  const error = (name: keyof Registration) => action.error?.field(name);
  return (
    <>
      <h1>Create your account</h1>
      <p className="lead">
        Your personal account: create projects, or join the ones you are invited to. We will mail you a link to
        verify your address.
      </p>
      <form onSubmit={submit} noValidate>
        <FormAlert error={action.error} fields={["name", "email", "password", "password_confirmation"]} />
        <Field label="Name" autoComplete="name" required limit={NAME_MAX} value={form.name} onChange={set("name")} error={error("name")} />
        <EmailField value={form.email} onChange={set("email")} error={error("email")} />
        <NewPasswordFields
          label="Password"
          password={form.password}
          confirmation={form.password_confirmation}
          onChange={(password, password_confirmation) => setForm({ ...form, password, password_confirmation })}
          errors={error}
        />
        <div className="form-actions">
          <SubmitButton busy={action.busy} busyLabel="Registering…">
            Register
          </SubmitButton>
        </div>
      </form>
      <p className="card__footer">
        Already registered? <Link to="/login">Log in</Link>
      </p>
    </>
  );
}

import { useState, type ChangeEvent, type FormEvent } from "react";
import { Link, useNavigate } from "react-router";
import { PASSWORD_RULES, register, type Registration } from "../api/account";
import { Field } from "../components/Field";
import { FormAlert, SubmitButton } from "../components/Form";
import { useAction } from "../hooks";

export function Register() {
  const [form, setForm] = useState<Registration>({ name: "", email: "", password: "", password_confirmation: "" });
  const navigate = useNavigate();
  const action = useAction(register);
  const set = (name: keyof Registration) => (event: ChangeEvent<HTMLInputElement>) =>
    setForm({ ...form, [name]: event.target.value });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
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
        <FormAlert error={action.error} />
        <Field label="Name" autoComplete="name" required value={form.name} onChange={set("name")} error={error("name")} />
        <Field
          label="Email"
          type="email"
          autoComplete="email"
          required
          value={form.email}
          onChange={set("email")}
          error={error("email")}
        />
        <Field
          label="Password"
          type="password"
          autoComplete="new-password"
          required
          value={form.password}
          onChange={set("password")}
          hint={PASSWORD_RULES}
          error={error("password")}
        />
        <Field
          label="Confirm password"
          type="password"
          autoComplete="new-password"
          required
          value={form.password_confirmation}
          onChange={set("password_confirmation")}
          error={error("password_confirmation")}
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

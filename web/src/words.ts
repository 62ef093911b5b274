// The Portal speaks to people: the admin API keeps Hapio's wording ("The password_confirmation field must
// match the password."), which names raw fields and says one password rule at a time. Here, once, a field's
// message is said without the field's name (it shows at its field), a password's unmet rules all at once,
// and a length limit before the API has to refuse it.

const RULES: [RegExp, (...found: string[]) => string][] = [
  [/^The [\w.]+ field is required\.$/, () => "This is required."],
  [/^The [\w.]+ field must not be greater than (\d+) characters\.$/, (n = "") => `Use at most ${n} characters.`],
  [/^The [\w.]+ field must be a valid email address\.$/, () => "Enter an email address, like name@example.com."],
  [/^The password_confirmation field must match the password\.$/, () => "The two passwords are not the same."],
  [/^The selected [\w.]+ is invalid\.$/, () => "Choose one of the options offered."],
  [/^The [\w.]+ field (.+)$/, (rest = "") => rest.charAt(0).toUpperCase() + rest.slice(1)],
];

/** An API field message as a person reads it next to the field. */
export function plainFieldMessage(message: string): string {
  for (const [pattern, say] of RULES) {
    const found = pattern.exec(message);
    if (found) return say(...found.slice(1));
  }
  return message.replace(/\b([a-z]+)_([a-z_]+)\b/g, (name) => name.replace(/_/g, " "));
}

/** The symbols the user pool's password policy counts (kairos.portal.models.SYMBOLS). */
const SYMBOLS = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+-";
export const MIN_PASSWORD = 8;

const PASSWORD_CHECKS: [string, (password: string) => boolean][] = [
  [`at least ${MIN_PASSWORD} characters`, (p) => [...p].length >= MIN_PASSWORD],
  ["a lower case letter", (p) => /[a-z]/.test(p)],
  ["an upper case letter", (p) => /[A-Z]/.test(p)],
  ["a number", (p) => /[0-9]/.test(p)],
  ["a symbol such as ! ? # or -", (p) => [...p].some((c) => SYMBOLS.includes(c))],
];

/** Every rule the password does not meet yet, in one sentence; undefined when it meets them all. */
export function passwordProblems(password: string): string | undefined {
  const missing = PASSWORD_CHECKS.filter(([, met]) => !met(password)).map(([rule]) => rule);
  if (missing.length === 0) return undefined;
  const list = missing.length === 1 ? missing[0] : `${missing.slice(0, -1).join(", ")} and ${missing.at(-1)}`;
  return `This password still needs ${list}.`;
}

/** The longest name the API takes (kairos.domain.fields.NAME_MAX): people, projects, tokens. */
export const NAME_MAX = 255;

/** Said at the field as soon as the text is longer than the API takes, so nothing is cut silently. */
export function lengthProblem(value: string, max: number): string | undefined {
  const length = [...value.trim()].length;
  return length > max ? `Use at most ${max} characters: this is ${length}.` : undefined;
}

// Form helpers shared by the pages: the fields (label, hint, the attributes the error summary needs),
// the error summary + field errors, busy buttons, the local checks, and apiForm (check, send, show).

import { t } from "./i18n.js";
import { clear, h } from "./dom.js";

// Errors: a summary at the top of the page linking to each field, and the message beside it.
// `lookup(field)` maps an API field name ("fields.subject", "password") to its input element.
export class ErrorSummary {
  constructor(container, lookup) {
    // the form being sent, when a page has several (apiForm sets it), else the whole page
    this.form = null;
    this.lookup = lookup || ((field) => fieldInput(this.form && this.form.isConnected ? this.form : container, field));
    this.element = h("div", {
      class: "error-summary",
      id: "error-summary",
      tabindex: "-1",
      role: "alert",
      "aria-labelledby": "error-summary-title",
      hidden: true,
      "data-testid": "error-summary",
    });
    container.prepend(this.element);
    this.marked = [];
    this.baseTitle = null;
  }

  clear() {
    this.element.hidden = true;
    clear(this.element);
    for (const { input, group, message, describedBy } of this.marked) {
      input.removeAttribute("aria-invalid");
      if (describedBy) input.setAttribute("aria-describedby", describedBy);
      else input.removeAttribute("aria-describedby");
      if (group) group.classList.remove("form-group--error");
      message.remove();
    }
    this.marked = [];
    if (this.baseTitle !== null) document.title = this.baseTitle;
    this.baseTitle = null;
  }

  // errors: [{message, field?, input?}]; shows them, focuses the summary.
  show(errors, { focus = true } = {}) {
    this.clear();
    if (!errors.length) return;
    const items = [];
    for (const error of errors) {
      const input = error.input || (error.field ? this.lookup(error.field) : null);
      if (input) {
        this.markField(input, error.message);
        items.push(
          h(
            "li",
            {},
            h(
              "a",
              {
                href: `#${input.id}`,
                onclick: (event) => {
                  event.preventDefault();
                  focusField(input);
                },
              },
              error.message,
            ),
          ),
        );
      } else {
        items.push(h("li", {}, error.message));
      }
    }
    this.element.append(h("h2", { id: "error-summary-title" }, t("Há um problema")), h("ul", {}, items));
    this.element.hidden = false;
    this.baseTitle = document.title;
    document.title = `${t("Erro: ")}${document.title}`;
    if (focus) {
      this.element.focus();
      this.element.scrollIntoView({ block: "start" });
    }
  }

  // every problem the API named at once, each beside its field when the page has it
  showApiError(error, extra = {}) {
    const errors =
      error.errors && error.errors.length ? error.errors : [{ message: error.message, field: error.field }];
    this.show(errors.map((problem) => ({ message: problem.message, field: problem.field, ...extra })));
  }

  markField(input, message) {
    const group = input.closest(".form-group");
    const id = `${input.id}-error`;
    const text = h("p", { class: "field-error", id }, h("span", { class: "visually-hidden" }, t("Erro: ")), message);
    const describedBy = input.getAttribute("aria-describedby");
    // the message goes right above the input (after its label and hint); for a checkbox or a radio
    // button inside its label, above the label
    const anchor = input.closest("label") || input;
    anchor.before(text);
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", [id, describedBy].filter(Boolean).join(" "));
    if (group) group.classList.add("form-group--error");
    this.marked.push({ input, group, message: text, describedBy });
  }
}

export function focusField(input) {
  const label = document.querySelector(`label[for="${cssEscape(input.id)}"]`);
  (label || input).scrollIntoView({ block: "start" });
  input.focus({ preventScroll: true });
}

function cssEscape(value) {
  return window.CSS && CSS.escape ? CSS.escape(value) : String(value).replace(/["\\]/g, "\\$&");
}

// A form field with label, optional hint and the attributes the error summary needs.
export function textField({
  id,
  name,
  label,
  hint,
  type = "text",
  field,
  required,
  autocomplete,
  multiline,
  inputClass,
  value,
  extra = {},
}) {
  const hintId = hint ? `${id}-hint` : null;
  const control = multiline
    ? h("textarea", {
        id,
        name,
        rows: 8,
        "data-field": field,
        required,
        "aria-describedby": hintId,
        spellcheck: "true",
        ...extra,
      })
    : h("input", {
        id,
        name,
        type,
        "data-field": field,
        required,
        autocomplete,
        "aria-describedby": hintId,
        class: inputClass,
        ...extra,
      });
  if (value !== undefined && value !== null) control.value = value;
  return h(
    "div",
    { class: "form-group" },
    h("label", { for: id }, label),
    hint ? h("span", { class: "hint", id: hintId }, hint) : null,
    control,
  );
}

// The input an API field path names ("requerente.address.postal_code"): the one marked with exactly
// that path, else the first one under it ("requerente.address" → its street), else the nearest
// parent path that the page has ("notification.electronic.0.consent" → …0 → …).
export function fieldInput(container, field) {
  if (!field) return null;
  let path = field;
  for (;;) {
    const exact = container.querySelector(`[data-field="${cssEscape(path)}"]`);
    if (exact && isShown(exact)) return exact;
    const under = [...container.querySelectorAll(`[data-field^="${cssEscape(path)}."]`)].find(isShown);
    if (under) return under;
    const cut = path.lastIndexOf(".");
    if (cut < 0) return null;
    path = path.slice(0, cut);
  }
}

function isShown(element) {
  return !element.closest("[hidden]") && !element.disabled;
}

// A choice among a few options as a select (with an empty "Escolha…" first unless `required` is false
// and `empty` is null).
export function selectField({
  id,
  name,
  label,
  hint,
  field,
  options,
  value,
  required,
  empty = "Escolha…",
  extra = {},
}) {
  const hintId = hint ? `${id}-hint` : null;
  const select = h(
    "select",
    { id, name: name || id, "data-field": field, required, "aria-describedby": hintId, ...extra },
    empty === null ? null : h("option", { value: "" }, t(empty)),
    options.map(([optionValue, optionLabel]) => h("option", { value: optionValue }, optionLabel)),
  );
  if (value !== undefined && value !== null) select.value = value;
  return h(
    "div",
    { class: "form-group" },
    h("label", { for: id }, label),
    hint ? h("span", { class: "hint", id: hintId }, hint) : null,
    select,
  );
}

// Radio buttons in a fieldset whose legend names the question.
export function radioGroup({ id, name, legend, hint, field, options, value }) {
  const hintId = hint ? `${id}-hint` : null;
  return h(
    "fieldset",
    { class: "form-group fieldset", id, "aria-describedby": hintId },
    h("legend", {}, legend),
    hint ? h("span", { class: "hint", id: hintId }, hint) : null,
    h(
      "div",
      { class: "radios" },
      options.map(([optionValue, optionLabel], index) =>
        h(
          "label",
          { class: "checkbox", for: `${id}-${optionValue}` },
          h("input", {
            type: "radio",
            id: `${id}-${optionValue}`,
            name,
            value: optionValue,
            checked: value === optionValue,
            "data-field": index === 0 ? field : null,
          }),
          ` ${optionLabel}`,
        ),
      ),
    ),
  );
}

export function checkboxField({ id, label, field, checked, hint }) {
  const hintId = hint ? `${id}-hint` : null;
  return h(
    "div",
    { class: "form-group" },
    h(
      "label",
      { class: "checkbox", for: id },
      h("input", { type: "checkbox", id, name: id, "data-field": field, checked, "aria-describedby": hintId }),
      " ",
      label,
    ),
    hint ? h("span", { class: "hint hint--checkbox", id: hintId }, hint) : null,
  );
}

// A button that shows "A guardar…" and ignores clicks while `action` runs.
export async function busyWhile(button, busyText, action) {
  if (button.getAttribute("aria-disabled") === "true") return undefined;
  const text = button.textContent;
  button.setAttribute("aria-disabled", "true");
  button.textContent = busyText;
  try {
    return await action();
  } finally {
    button.removeAttribute("aria-disabled");
    button.textContent = text;
  }
}

// The local part of the check for a password the API will take (chalicelib/accounts/credentials.py: 8 to 128).
export function passwordProblem(value) {
  if (!value) return t("Indique a palavra-passe.");
  if (value.length < 8) return t("A palavra-passe deve ter pelo menos 8 caracteres.");
  if (value.length > 128) return t("A palavra-passe pode ter no máximo 128 caracteres.");
  return null;
}

export const POSTAL_CODE = /^\d{4}-\d{3}$/;

// A form that checks locally (`check` → [{input, message}]), then sends (`send`, an API call) with
// its button busy, shows the API's field errors beside the fields, and hands the answer to `done`.
export function apiForm({
  id,
  children,
  submitId,
  submitLabel,
  busyLabel = t("A enviar…"),
  errors,
  check,
  send,
  done,
  labelledBy,
}) {
  const button = h("button", { type: "submit", class: "button", id: submitId }, submitLabel);
  const form = h(
    "form",
    { id, novalidate: true, "aria-labelledby": labelledBy },
    children,
    h("div", { class: "button-row" }, button),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (button.getAttribute("aria-disabled") === "true") return;
    errors.form = form;
    const problems = check ? check(form) : [];
    if (problems.length) {
      errors.show(problems);
      return;
    }
    errors.clear();
    let answer;
    try {
      answer = await busyWhile(button, busyLabel, () => send(form));
    } catch (error) {
      if (form.isConnected) errors.showApiError(error);
      return;
    }
    if (form.isConnected) await done(answer, form);
  });
  return form;
}

// The value of an input of a form by id, trimmed (passwords: as typed).
export function valueOf(form, id, { trim = true } = {}) {
  const input = form.querySelector(`#${id}`);
  if (!input) return "";
  return trim ? input.value.trim() : input.value;
}

// A required-text check for apiForm: [id, message] pairs → the problems of those left empty.
export function required(form, pairs) {
  return pairs
    .filter(([id]) => !valueOf(form, id, { trim: false }).trim())
    .map(([id, message]) => ({ input: form.querySelector(`#${id}`), message }));
}

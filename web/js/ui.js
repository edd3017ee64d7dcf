// Small DOM helpers shared by the pages: an element builder (text only, never innerHTML, so nothing
// from the API can become markup), the pt-PT labels, dates, and the error summary + field errors.

export function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") element.className = value;
    else if (name === "text") element.textContent = value;
    else if (name === "dataset") Object.assign(element.dataset, value);
    else if (name.startsWith("on") && typeof value === "function") element.addEventListener(name.slice(2), value);
    else if (value === true) element.setAttribute(name, "");
    else element.setAttribute(name, String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function clear(element) {
  element.replaceChildren();
  return element;
}

// -- labels (pt-PT)
export const STATUS_LABELS = {
  rascunho: "Rascunho",
  submetido: "Submetido",
  a_aguardar_pagamento: "A aguardar pagamento",
  em_apreciacao: "Em apreciação",
  deferido: "Deferido",
  indeferido: "Indeferido",
  documentos_rejeitados: "Documentos recusados",
};

export const DOCUMENT_STATUS_LABELS = {
  a_aguardar: "Em verificação",
  aceite: "Aceite",
  rejeitado: "Recusado",
};

export const ORGAN_LABELS = {
  CAMARA: "Câmara Municipal",
};

export const statusLabel = (status) => STATUS_LABELS[status] || status || "—";
export const organLabel = (organ) => ORGAN_LABELS[organ] || organ || "—";

export function statusTag(status, attrs = {}) {
  return h("span", { class: `status status--${status}`, "data-status": status, ...attrs }, statusLabel(status));
}

export function documentStatusTag(status, attrs = {}) {
  return h("span", { class: `status status--${status}`, "data-status": status, ...attrs },
    DOCUMENT_STATUS_LABELS[status] || status);
}

// -- dates: "2026-12-07" is a calendar date (no time zone); timestamps are shown in Lisbon time
export function formatDate(value) {
  if (!value) return "—";
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (match) return `${match[3]}/${match[2]}/${match[1]}`;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return new Intl.DateTimeFormat("pt-PT", { timeZone: "Europe/Lisbon", day: "2-digit", month: "2-digit", year: "numeric" }).format(date);
}

export function formatDateTime(value) {
  if (!value) return "—";
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return new Intl.DateTimeFormat("pt-PT", {
    timeZone: "Europe/Lisbon", day: "2-digit", month: "2-digit", year: "numeric", hour: "2-digit", minute: "2-digit",
  }).format(date);
}

export function formatBytes(bytes) {
  if (bytes === null || bytes === undefined) return "";
  const units = ["B", "KB", "MB", "GB"];
  let value = Number(bytes);
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || value >= 10 ? 0 : 1;
  return `${value.toLocaleString("pt-PT", { maximumFractionDigits: digits })} ${units[unit]}`;
}

export function workingDaysText(days) {
  if (days === null || days === undefined) return "";
  if (days > 1) return `faltam ${days} dias úteis`;
  if (days === 1) return "falta 1 dia útil";
  if (days === 0) return "termina hoje";
  return `ultrapassado há ${-days} ${days === -1 ? "dia útil" : "dias úteis"}`;
}

export function breadcrumbs(items) {
  return h("nav", { class: "breadcrumbs", "aria-label": "Localização" },
    h("ol", {}, items.map(([label, href]) =>
      h("li", {}, href ? h("a", { href }, label) : h("span", { "aria-current": "page" }, label)))));
}

export function facts(rows, attrs = {}) {
  return h("dl", { class: "facts", ...attrs },
    rows.filter(Boolean).map(([term, description, ddAttrs]) => [h("dt", {}, term), h("dd", ddAttrs || {}, description)]));
}

export function notice(kind, ...children) {
  return h("div", { class: `notice${kind ? ` notice--${kind}` : ""}` }, ...children);
}

// -- errors: a summary at the top of the page linking to each field, and the message beside it.
// `lookup(field)` maps an API field name ("fields.subject", "password") to its input element.
export class ErrorSummary {
  constructor(container, lookup) {
    this.lookup = lookup || ((field) => container.querySelector(`[data-field="${cssEscape(field)}"]`));
    this.element = h("div", {
      class: "error-summary", id: "error-summary", tabindex: "-1", role: "alert",
      "aria-labelledby": "error-summary-title", hidden: true, "data-testid": "error-summary",
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
        items.push(h("li", {}, h("a", {
          href: `#${input.id}`,
          onclick: (event) => {
            event.preventDefault();
            focusField(input);
          },
        }, error.message)));
      } else {
        items.push(h("li", {}, error.message));
      }
    }
    this.element.append(
      h("h2", { id: "error-summary-title" }, "Há um problema"),
      h("ul", {}, items),
    );
    this.element.hidden = false;
    this.baseTitle = document.title;
    document.title = `Erro: ${document.title}`;
    if (focus) {
      this.element.focus();
      this.element.scrollIntoView({ block: "start" });
    }
  }

  // every problem the API named at once, each beside its field when the page has it
  showApiError(error, extra = {}) {
    const errors = error.errors && error.errors.length ? error.errors : [{ message: error.message, field: error.field }];
    this.show(errors.map((problem) => ({ message: problem.message, field: problem.field, ...extra })));
  }

  markField(input, message) {
    const group = input.closest(".form-group");
    const id = `${input.id}-error`;
    const text = h("p", { class: "field-error", id }, h("span", { class: "visually-hidden" }, "Erro: "), message);
    const describedBy = input.getAttribute("aria-describedby");
    // the message goes right above the input (after its label and hint)
    input.before(text);
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
export function textField({ id, name, label, hint, type = "text", field, required, autocomplete, multiline, inputClass, value, extra = {} }) {
  const hintId = hint ? `${id}-hint` : null;
  const control = multiline
    ? h("textarea", { id, name, rows: 8, "data-field": field, required, "aria-describedby": hintId, spellcheck: "true", ...extra })
    : h("input", { id, name, type, "data-field": field, required, autocomplete, "aria-describedby": hintId, class: inputClass, ...extra });
  if (value !== undefined && value !== null) control.value = value;
  return h("div", { class: "form-group" },
    h("label", { for: id }, label),
    hint ? h("span", { class: "hint", id: hintId }, hint) : null,
    control);
}

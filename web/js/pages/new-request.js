// A new request for a service, in three steps on one page:
//   1. the service's fields        → POST /api/requests {service_id, fields} → a draft {process_id}
//   2. each document slot          → js/upload.js (presigned POST to S3, progress, inspection)
//   3. "Submeter"                  → POST /api/requests/{process_id}/submit → the process number
// Routes: #/pedidos/novo/{service_id} (a new draft) and #/rascunhos/{process_id} (a draft reopened).

import { createRequest, getRequest, getService, requestPlan, submitRequest } from "../api.js";
import {
  h, breadcrumbs, ErrorSummary, facts, formatDate, formatDateTime, notice, textField, workingDaysText,
} from "../ui.js";
import { UploadSlot } from "../upload.js";
import { deadlineText } from "./service.js";

export async function render(ctx) {
  const { container } = ctx;
  const resuming = ctx.path.startsWith("/rascunhos/");
  let process = null;
  let service;
  if (resuming) {
    process = await getRequest(ctx.params[0]);
    if (process.status !== "rascunho") {
      ctx.navigate(`/processos/${encodeURIComponent(process.process_id)}`, { replace: true });
      return;
    }
    service = await getService(process.service_id);
  } else {
    service = await getService(ctx.params[0]);
  }
  if (!ctx.isCurrent()) return;
  ctx.setTitle(`Novo pedido: ${service.title}`);
  new RequestForm(ctx, service, process).mount();
}

class RequestForm {
  constructor(ctx, service, process) {
    this.ctx = ctx;
    this.service = service;
    this.process = process;
    this.slots = [];
  }

  mount() {
    const { container } = this.ctx;
    const { service } = this;
    this.stepItems = ["Dados do pedido", "Documentos", "Submeter"].map((label, index) =>
      h("li", { id: `step-indicator-${index + 1}` }, label));
    this.stepFields = h("section", { class: "step", id: "step-fields", "aria-labelledby": "step-fields-title" },
      h("h2", { id: "step-fields-title" }, "1. Dados do pedido"));
    this.stepDocuments = h("section", { class: "step", id: "step-documents", "aria-labelledby": "step-documents-title", hidden: true },
      h("h2", { id: "step-documents-title" }, "2. Documentos"));
    this.stepSubmit = h("section", { class: "step", id: "step-submit", "aria-labelledby": "step-submit-title", hidden: true },
      h("h2", { id: "step-submit-title" }, "3. Submeter"));

    container.append(
      breadcrumbs([["Serviços", "#/"], [service.title, `#/servicos/${encodeURIComponent(service.id)}`], ["Novo pedido"]]),
      h("span", { class: "caption" }, "Novo pedido"),
      h("h1", { id: "request-title" }, service.title),
      h("ol", { class: "steps", "aria-label": "Passos do pedido" }, this.stepItems),
      this.stepFields, this.stepDocuments, this.stepSubmit,
    );
    this.errors = new ErrorSummary(container);

    if (this.process) {
      this.showDraft();
    } else {
      this.showFieldsForm();
      this.markStep(1);
    }
  }

  markStep(current) {
    this.stepItems.forEach((item, index) => {
      const number = index + 1;
      item.classList.toggle("steps__done", number < current);
      if (number === current) item.setAttribute("aria-current", "step");
      else item.removeAttribute("aria-current");
    });
  }

  // -- step 1
  showFieldsForm() {
    const form = h("form", { id: "request-form", novalidate: true, "aria-labelledby": "step-fields-title" });
    for (const spec of this.service.fields) form.append(fieldFor(spec));
    // fields that apply only to some options show and hide as the options change
    const refresh = () => {
      const current = formValues(form, this.service.fields);
      for (const spec of this.service.fields) {
        const group = form.querySelector(`#field-${spec.name}`).closest(".form-group");
        group.hidden = !applies(spec.when, current);
      }
    };
    form.addEventListener("change", refresh);
    refresh();
    form.append(h("div", { class: "button-row" },
      h("button", { type: "submit", class: "button", id: "save-fields" }, "Guardar e continuar")));
    this.stepFields.append(
      h("p", {}, "Preencha os dados. Ao continuar, o pedido fica guardado como rascunho e pode juntar os documentos."),
      form,
    );
    this.form = form;
    let busy = false;
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (busy) return;
      const values = {};
      const problems = [];
      const current = formValues(form, this.service.fields);
      for (const spec of this.service.fields) {
        const input = form.querySelector(`#field-${spec.name}`);
        if (!applies(spec.when, current)) continue; // hidden: does not apply to the options chosen
        const value = input.value;
        if (!value.trim()) {
          if (spec.required) problems.push({ input, message: `${spec.label}: campo obrigatório.` });
          continue;
        }
        if (spec.max_length && value.length > spec.max_length) {
          problems.push({ input, message: `${spec.label}: no máximo ${spec.max_length} caracteres.` });
        }
        values[spec.name] = current[spec.name];
      }
      if (problems.length) return this.errors.show(problems);
      this.errors.clear();
      busy = true;
      const button = form.querySelector("#save-fields");
      button.setAttribute("aria-disabled", "true");
      button.textContent = "A guardar…";
      try {
        this.process = await createRequest(this.service.id, values);
      } catch (error) {
        if (this.ctx.isCurrent() && error.status !== 401) this.errors.showApiError(error);
        return;
      } finally {
        busy = false;
        button.removeAttribute("aria-disabled");
        button.textContent = "Guardar e continuar";
      }
      if (!this.ctx.isCurrent()) return;
      // A reload (or the link in "Os meus processos") reopens this draft.
      window.history.replaceState(null, "", `#/rascunhos/${encodeURIComponent(this.process.process_id)}`);
      this.showDraft({ focus: true });
    });
  }

  // -- steps 2 and 3, once the draft exists
  showDraft({ focus = false } = {}) {
    const { process, service } = this;
    if (this.form) this.form.remove();
    this.stepFields.replaceChildren(
      h("h2", { id: "step-fields-title" }, "1. Dados do pedido"),
      h("div", { role: "status" }, notice("success",
        h("p", {}, `Rascunho guardado em ${formatDateTime(process.created_at)}.`))),
      facts(service.fields.filter((spec) => process.fields[spec.name] !== undefined || spec.required)
        .map((spec) => [spec.label, displayValue(spec, process.fields[spec.name]), { class: "pre-line", "data-field-name": spec.name }]),
      { id: "draft-fields" }),
    );
    if (service.installments) this.showPlan();
    this.markStep(2);

    this.stepDocuments.hidden = false;
    this.stepDocuments.append(h("p", {},
      "Envie cada documento. Os ficheiros seguem diretamente para o arquivo seguro do Município e são verificados automaticamente."));
    if (!(process.document_slots || service.documents).length) {
      this.stepDocuments.append(h("p", {}, "Este pedido não pede documentos."));
    }
    // the documents that apply to this draft's options and to who asks, as the API says
    for (const slot of process.document_slots || service.documents) {
      const upload = new UploadSlot({
        processId: process.process_id,
        slot,
        documents: (process.documents || []).filter((doc) => doc.slot === slot.slot),
        errors: this.errors,
        onChange: () => this.updateSubmitState(),
      });
      this.slots.push(upload);
      this.stepDocuments.append(upload.element);
    }

    this.stepSubmit.hidden = false;
    this.readiness = h("p", { id: "submit-readiness", "aria-live": "polite" });
    this.submitButton = h("button", { type: "button", class: "button", id: "submit-request", "data-testid": "submit-request",
      onclick: () => this.submit() }, "Submeter");
    this.stepSubmit.append(
      h("p", {}, `Ao submeter, o pedido recebe um número e deixa de poder ser alterado. O prazo de decisão é de ${deadlineText(service.decision_deadline)}.`),
      this.readiness,
      h("div", { class: "button-row" }, this.submitButton),
    );
    this.updateSubmitState();
    if (focus) {
      const heading = this.stepDocuments.querySelector("h2");
      heading.setAttribute("tabindex", "-1");
      heading.focus();
    }
  }

  // the installment plan the server computes from the draft (or the rule the fields break)
  async showPlan() {
    const section = h("section", { id: "installment-plan", "aria-labelledby": "plan-title" },
      h("h3", { id: "plan-title" }, "Plano de pagamento (pré-visualização)"));
    this.stepFields.append(section);
    try {
      const { installments } = await requestPlan(this.process.process_id);
      const total = installments.reduce((sum, item) => sum + item.amount_cents, 0);
      section.append(
        h("p", {}, `${installments.length} prestações mensais, a pagar até ao dia 8 de cada mês; total ${euros(total)}.`),
        h("table", { class: "table" },
          h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "N.º"), h("th", { scope: "col" }, "Data limite"),
            h("th", { scope: "col" }, "Valor"))),
          h("tbody", {}, installments.map((item) => h("tr", {},
            h("td", {}, String(item.number)), h("td", {}, formatDate(item.due_date)), h("td", {}, item.amount_text))))),
      );
    } catch (error) {
      if (error.status !== 401) section.append(notice("warning", h("p", { id: "plan-problem" }, error.message)));
    }
  }

  missingDocuments() {
    return this.slots.filter((upload) => upload.slot.required && !upload.accepted);
  }

  updateSubmitState() {
    if (!this.readiness) return;
    const missing = this.missingDocuments();
    const ready = missing.length === 0 && !this.slots.some((upload) => upload.busy);
    this.readiness.textContent = ready
      ? "Os documentos obrigatórios foram aceites. Pode submeter o pedido."
      : `Falta${missing.length > 1 ? "m" : ""} ${missing.length > 1 ? "os documentos" : "o documento"}: ${missing.map((u) => u.slot.label).join("; ")}.`;
    if (this.slots.some((upload) => upload.busy)) this.readiness.textContent = "Aguarde o fim do envio e da verificação dos documentos.";
    this.submitButton.dataset.ready = String(ready);
    if (missing.length === 0) this.markStep(3);
    else this.markStep(2);
  }

  async submit() {
    if (this.submitting) return;
    const busy = this.slots.filter((upload) => upload.busy);
    if (busy.length) {
      this.errors.show(busy.map((upload) => ({ input: upload.input,
        message: `Aguarde o fim do envio e da verificação: ${upload.slot.label}.` })));
      return;
    }
    const missing = this.missingDocuments();
    if (missing.length) {
      this.errors.show(missing.map((upload) => ({ input: upload.input, message: `Falta o documento: ${upload.slot.label}.` })));
      return;
    }
    this.errors.clear();
    this.submitting = true;
    this.submitButton.setAttribute("aria-disabled", "true");
    this.submitButton.textContent = "A submeter…";
    let submitted;
    try {
      submitted = await submitRequest(this.process.process_id);
    } catch (error) {
      if (this.ctx.isCurrent() && error.status !== 401) {
        // documents.<slot> names the slot's file input; anything else goes to the summary only
        this.errors.showApiError(error);
      }
      return;
    } finally {
      this.submitting = false;
      this.submitButton.removeAttribute("aria-disabled");
      this.submitButton.textContent = "Submeter";
    }
    if (this.ctx.isCurrent()) this.showConfirmation(submitted);
  }

  showConfirmation(process) {
    const { container } = this.ctx;
    const link = `#/processos/${encodeURIComponent(process.process_id)}`;
    this.ctx.setTitle(`Pedido submetido: ${process.number}`);
    container.replaceChildren(
      h("div", { class: "panel-confirmation", "data-testid": "confirmation" },
        h("h1", { tabindex: "-1", id: "confirmation-title" }, "Pedido submetido"),
        h("p", {}, "O número do seu processo é"),
        h("p", { class: "process-number", id: "process-number", "data-testid": "process-number" }, process.number)),
      h("p", {}, "Guarde este número: com ele acompanha o pedido aqui ou na consulta pública."),
      process.payment ? h("section", { id: "payment-reference", "aria-labelledby": "payment-title" },
        h("h2", { id: "payment-title" }, "Pagamento por Multibanco"),
        facts([["Entidade", process.payment.entity], ["Referência", process.payment.reference_text],
          ["Valor", process.payment.amount_text]]),
        h("p", {}, process.payment.before_decision
          ? "A apreciação do pedido começa depois do pagamento. Enviámos também estes dados por email."
          : "Enviámos também estes dados por email.")) : null,
      h("h2", {}, "O que acontece a seguir"),
      h("p", {}, `Os serviços do Município vão apreciar o pedido. A decisão é tomada até ${formatDate(process.decision_deadline)}`,
        process.working_days_left !== null && process.working_days_left !== undefined ? ` (${workingDaysText(process.working_days_left)})` : "",
        ". É notificado da decisão e pode acompanhar o estado em «Os meus processos»."),
      h("div", { class: "button-row" },
        h("a", { class: "button", href: link, id: "view-process-link" }, "Ver o processo"),
        h("a", { class: "button button--secondary", href: "#/processos" }, "Os meus processos")),
    );
    container.querySelector("#confirmation-title").focus();
    window.scrollTo(0, 0);
  }
}

// The typed values of the form, as the API takes them (numbers, true/false, text).
function formValues(form, specs) {
  const values = {};
  for (const spec of specs) {
    const raw = form.querySelector(`#field-${spec.name}`).value;
    if (!raw.trim()) continue;
    if (spec.type === "boolean") values[spec.name] = raw === "true";
    else if (spec.type === "integer" && /^\d+$/.test(raw.trim())) values[spec.name] = Number(raw.trim());
    else values[spec.name] = raw;
  }
  return values;
}

// The conditions of the catalogue on other fields; who asks is the logged-in citizen (singular).
function applies(conditions, values) {
  const facts = { "requerente.type": "singular", ...values };
  return (conditions || []).every((condition) => condition.one_of.includes(facts[condition.field]));
}

function displayValue(spec, value) {
  if (value === undefined || value === null || value === "") return "—";
  if (spec.type === "boolean") return value ? "Sim" : "Não";
  if (spec.type === "choice") return (spec.options.find((option) => option.value === value) || { label: value }).label;
  if (spec.type === "money") return euros(Math.round(Number(value) * 100));
  return String(value);
}

function euros(cents) {
  return new Intl.NumberFormat("pt-PT", { style: "currency", currency: "EUR" }).format(cents / 100);
}

function choiceField(spec, options) {
  const id = `field-${spec.name}`;
  const hintId = spec.hint ? `${id}-hint` : null;
  return h("div", { class: "form-group" },
    h("label", { for: id }, spec.label),
    spec.hint ? h("span", { class: "hint", id: hintId }, spec.hint) : null,
    h("select", { id, name: spec.name, "data-field": `fields.${spec.name}`, required: spec.required, "aria-describedby": hintId },
      h("option", { value: "" }, "Escolha…"),
      options.map(([value, label]) => h("option", { value }, label))));
}

function fieldFor(spec) {
  if (spec.type === "choice") return choiceField(spec, spec.options.map((option) => [option.value, option.label]));
  if (spec.type === "boolean") return choiceField(spec, [["true", "Sim"], ["false", "Não"]]);
  const id = `field-${spec.name}`;
  const hintParts = [];
  if (spec.hint) hintParts.push(spec.hint);
  if (!spec.required) hintParts.push("Opcional.");
  if (spec.max_length) hintParts.push(`Até ${spec.max_length.toLocaleString("pt-PT")} caracteres.`);
  if (spec.type === "date") hintParts.push("Por exemplo, 31/12/2026.");
  const options = {
    id,
    name: spec.name,
    label: spec.label,
    hint: hintParts.join(" ") || null,
    field: `fields.${spec.name}`,
    required: spec.required,
    multiline: spec.type === "textarea",
    type: spec.type === "date" ? "date" : "text",
    extra: spec.type === "money" ? { inputmode: "decimal" } : spec.type === "integer" ? { inputmode: "numeric" } : {},
  };
  const group = textField(options);
  if (spec.max_length) addCharacterCount(group.querySelector(`#${id}`), spec.max_length);
  return group;
}

// A visible count under the field, and a quieter one for screen readers (once typing pauses).
function addCharacterCount(input, max) {
  const visible = h("span", { class: "char-count", id: `${input.id}-count`, "aria-hidden": "true" });
  const spoken = h("span", { class: "visually-hidden", "aria-live": "polite" });
  input.after(visible, spoken);
  let timer = null;
  const update = () => {
    const left = max - input.value.length;
    const text = left >= 0
      ? `Restam ${left.toLocaleString("pt-PT")} caracteres.`
      : `Tem ${(-left).toLocaleString("pt-PT")} caracteres a mais.`;
    visible.textContent = text;
    visible.classList.toggle("field-error", left < 0);
    clearTimeout(timer);
    timer = setTimeout(() => {
      spoken.textContent = text;
    }, 1200);
  };
  input.addEventListener("input", update);
  visible.textContent = `Restam ${max.toLocaleString("pt-PT")} caracteres.`;
}

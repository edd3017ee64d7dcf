// A new request for a service, on one page in three steps:
//   1. the service's fields, who asks (requerente, and a representante with their quality) and how to
//      be notified → POST /api/requests (a draft) or PATCH /api/requests/{id} (saved again)
//   2. each document slot that applies (the API names them: process.document_slots) → js/upload.js
//   3. a preview of everything, with the installment plan where the service has one (GET
//      /api/requests/{id}/plan) → POST /api/requests/{id}/submit → the process number
// Routes: #/pedidos/novo/{service_id} (a new draft) and #/rascunhos/{process_id} (a draft reopened:
// save and resume). The form stays on the page after each save, so the server's field errors
// (fields.x, requerente.x, representante.x, notification.x, documents.x) go beside their inputs,
// nothing typed is lost, and uploaded files stay on the draft.

import { createRequest, getRequest, getService, requestPlan, saveDraft, submitRequest } from "../api.js";
import { locale, t, tn } from "../i18n.js";
import { h, breadcrumbs, facts, notice } from "../dom.js";
import { euros, formatDate, formatDateTime, identityLabel, workingDaysText } from "../format.js";
import { busyWhile, checkboxField, ErrorSummary, POSTAL_CODE, radioGroup, selectField, textField } from "../forms.js";
import { UploadSlot } from "../upload.js";
import { deadlineText } from "./service.js";

const COLLECTIVE_KINDS = [
  ["empresa", "Empresa"],
  ["associacao", "Associação"],
  ["comissao_festas", "Comissão de festas"],
  ["outra", "Outra"],
];
const QUALITIES = [
  ["representante_legal", "Representante legal"],
  ["mandatario", "Mandatário"],
  ["gestor_negocios", "Gestor de negócios"],
  ["outra", "Outra qualidade"],
];
const CHANNELS = [
  ["email", "Email"],
  ["phone", "Telefone (SMS)"],
  ["viactt", "Caixa Postal Eletrónica ViaCTT"],
];

export async function render(ctx) {
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
  ctx.setTitle(`${t("Novo pedido")}: ${service.title}`);
  new RequestForm(ctx, service, process).mount();
}

class RequestForm {
  constructor(ctx, service, process) {
    this.ctx = ctx;
    this.service = service;
    this.process = process;
    this.user = ctx.session.user;
    this.slots = new Map(); // slot id → UploadSlot, kept across saves
    this.dirty = false;
  }

  mount() {
    const { container } = this.ctx;
    const { service } = this;
    this.stepItems = [t("Dados do pedido"), t("Documentos"), t("Rever e submeter")].map((label, index) =>
      h("li", { id: `step-indicator-${index + 1}` }, label),
    );
    this.stepFields = h(
      "section",
      { class: "step", id: "step-fields", "aria-labelledby": "step-fields-title" },
      h("h2", { id: "step-fields-title" }, `1. ${t("Dados do pedido")}`),
    );
    this.stepDocuments = h(
      "section",
      { class: "step", id: "step-documents", "aria-labelledby": "step-documents-title", hidden: true },
      h("h2", { id: "step-documents-title" }, `2. ${t("Documentos")}`),
      h(
        "p",
        {},
        t(
          "Envie cada documento. Os ficheiros seguem diretamente para o arquivo seguro do Município e são verificados automaticamente.",
        ),
      ),
    );
    this.slotList = h("div", { id: "document-slots" });
    this.stepDocuments.append(this.slotList);
    this.stepPreview = h(
      "section",
      { class: "step", id: "step-submit", "aria-labelledby": "step-submit-title", hidden: true },
      h("h2", { id: "step-submit-title" }, `3. ${t("Rever e submeter")}`),
    );

    container.append(
      breadcrumbs([
        [t("Serviços"), "#/"],
        [service.title, `#/servicos/${encodeURIComponent(service.id)}`],
        [t("Novo pedido")],
      ]),
      h("span", { class: "caption" }, t("Novo pedido")),
      h("h1", { id: "request-title" }, service.title),
      h("ol", { class: "steps", "aria-label": t("Passos do pedido") }, this.stepItems),
      this.stepFields,
      this.stepDocuments,
      this.stepPreview,
    );
    this.errors = new ErrorSummary(container);
    this.buildForm();
    if (this.process) {
      this.fill(this.process);
      this.showDraft();
    } else {
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

  // -- step 1: the form ------------------------------------------------------------------------
  buildForm() {
    const { service, user } = this;
    const form = h("form", { id: "request-form", novalidate: true, "aria-labelledby": "step-fields-title" });
    this.form = form;
    const fieldsSet = h(
      "fieldset",
      { class: "fieldset", id: "request-fields" },
      h("legend", { class: "legend--large" }, t("Dados do pedido")),
    );
    for (const spec of service.fields) fieldsSet.append(fieldFor(spec));

    // who asks
    const company = user.person_type === "company";
    this.requerenteOwn = h("p", { id: "requerente-own" });
    const party = h(
      "fieldset",
      { class: "fieldset", id: "party" },
      h("legend", { class: "legend--large" }, t("Quem pede")),
      radioGroup({
        id: "party-role",
        name: "party_role",
        legend: t("Apresenta o pedido"),
        value: "self",
        options: [
          ["self", t("Em nome próprio (sou o requerente)")],
          ["representative", t("Em representação do requerente (sou o representante)")],
        ],
      }),
      h(
        "fieldset",
        { class: "fieldset fieldset--nested", id: "requerente" },
        h("legend", {}, t("Requerente")),
        this.requerenteOwn,
        radioGroup({
          id: "requerente-type",
          name: "requerente_type",
          legend: t("O requerente é"),
          field: "requerente.type",
          value: company ? "coletiva" : "singular",
          options: [
            ["singular", t("Pessoa singular")],
            ["coletiva", t("Pessoa coletiva (empresa, associação…)")],
          ],
        }),
        h(
          "div",
          { id: "requerente-identity" },
          textField({
            id: "requerente-name",
            label: t("Nome do requerente"),
            field: "requerente.name",
            autocomplete: "off",
          }),
          textField({
            id: "requerente-identity_number",
            label: t("NIF ou NIPC do requerente"),
            field: "requerente.identity_number",
            inputClass: "input--medium",
            extra: { inputmode: "numeric" },
          }),
        ),
        h(
          "div",
          { id: "requerente-collective" },
          selectField({
            id: "requerente-collective_kind",
            label: t("Tipo de pessoa coletiva"),
            field: "requerente.collective_kind",
            options: COLLECTIVE_KINDS.map(([value, label]) => [value, t(label)]),
          }),
          h(
            "div",
            { id: "requerente-collective-other" },
            textField({
              id: "requerente-collective_kind_other",
              label: t("Que tipo de pessoa coletiva?"),
              field: "requerente.collective_kind_other",
            }),
          ),
          h(
            "div",
            { id: "requerente-certidao" },
            textField({
              id: "requerente-certidao_code",
              label: t("Código de acesso à certidão permanente"),
              field: "requerente.certidao_code",
              hint: t(
                "Opcional. No formato 0000-0000-0000; com ele não precisa de juntar a certidão do registo comercial.",
              ),
              inputClass: "input--medium",
            }),
          ),
        ),
        addressFields(
          "requerente",
          t("Morada do requerente"),
          t("Opcional, exceto se quiser as notificações por correio nesta morada."),
        ),
      ),
      h(
        "fieldset",
        { class: "fieldset fieldset--nested", id: "representante" },
        h("legend", {}, t("Representante")),
        h(
          "p",
          {},
          t("O representante é quem apresenta o pedido: {name} ({label} {nif}).", {
            name: user.name,
            label: identityLabel(user.person_type),
            nif: user.identity_number || "—",
          }),
        ),
        selectField({
          id: "representante-quality",
          label: t("Qualidade em que representa o requerente"),
          field: "representante.quality",
          options: QUALITIES.map(([value, label]) => [value, t(label)]),
        }),
        h(
          "div",
          { id: "representante-quality-other" },
          textField({
            id: "representante-quality_other",
            label: t("Que qualidade?"),
            field: "representante.quality_other",
          }),
        ),
        addressFields(
          "representante",
          t("Morada do representante"),
          t("Opcional, exceto se quiser as notificações por correio nesta morada."),
        ),
      ),
    );

    // how to be notified
    const electronic = CHANNELS.map(([channel, label]) =>
      h(
        "div",
        { class: "channel", id: `channel-${channel}` },
        checkboxField({
          id: `consent-${channel}`,
          label: t("Aceito ser notificado por {channel}", { channel: t(label) }),
        }),
        h(
          "div",
          { class: "channel__contact", id: `channel-${channel}-contact` },
          textField({
            id: `contact-${channel}`,
            type: channel === "phone" ? "tel" : "email",
            label: channel === "phone" ? t("Número de telefone") : t("Endereço eletrónico"),
            value: channel === "email" ? user.email : channel === "phone" ? user.phone : "",
            inputClass: "input--medium",
          }),
        ),
      ),
    );
    const notification = h(
      "fieldset",
      { class: "fieldset", id: "notification" },
      h("legend", { class: "legend--large" }, t("Notificações")),
      h(
        "p",
        { class: "hint" },
        t("Sem outra escolha, é notificado através da sua conta do Balcão Único, pela mesma via em que fez o pedido."),
      ),
      selectField({
        id: "notification-postal",
        label: t("Notificações por correio"),
        field: "notification.postal",
        empty: "Não, obrigado",
        options: [
          ["requerente", t("Para a morada do requerente")],
          ["representante", t("Para a morada do representante")],
          ["outra", t("Para outra morada")],
        ],
      }),
      h(
        "div",
        { id: "notification-other-address" },
        addressFields("notification", t("Morada para as notificações"), null, "notification.postal_address"),
      ),
      h(
        "fieldset",
        { class: "fieldset fieldset--nested", id: "notification-electronic" },
        h("legend", {}, t("Notificações por meios eletrónicos")),
        h(
          "p",
          { class: "hint" },
          t("Só é notificado por meios eletrónicos com o seu consentimento prévio, dado para cada meio."),
        ),
        electronic,
      ),
    );

    this.saveButton = h("button", { type: "submit", class: "button", id: "save-fields" }, t("Guardar e continuar"));
    this.draftStatus = h("p", { id: "draft-status", role: "status" });
    form.append(fieldsSet, party, notification, h("div", { class: "button-row" }, this.saveButton), this.draftStatus);
    this.stepFields.append(
      h(
        "p",
        {},
        t(
          "Preencha os dados. Ao guardar, o pedido fica guardado como rascunho (durante 30 dias) e pode juntar os documentos; pode voltar a ele em «Os meus processos».",
        ),
      ),
      form,
    );

    form.addEventListener("change", () => {
      this.dirty = true;
      this.refresh();
    });
    form.addEventListener("input", () => {
      this.dirty = true;
    });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.save({ moveOn: true });
    });
    this.refresh();
  }

  // who asks, as the catalogue's conditions test it
  partyFacts() {
    const { form } = this;
    const representing = form.querySelector("#party-role-representative").checked;
    const type = form.querySelector("#requerente-type-coletiva").checked ? "coletiva" : "singular";
    return {
      representing,
      "requerente.type": type,
      "requerente.collective_kind":
        type === "coletiva" ? form.querySelector("#requerente-collective_kind").value || null : null,
      "representante.quality": representing ? form.querySelector("#representante-quality").value || null : null,
    };
  }

  // show what applies to the choices made so far
  refresh() {
    const { form, service, user } = this;
    const party = this.partyFacts();
    const values = { ...party, ...formValues(form, service.fields) };
    for (const spec of service.fields) {
      form.querySelector(`#field-${spec.name}`).closest(".form-group").hidden = !applies(spec.when, values);
    }
    const own = !party.representing;
    this.requerenteOwn.hidden = !own;
    this.requerenteOwn.textContent = t("O requerente é quem apresenta o pedido: {name} ({label} {nif}).", {
      name: user.name,
      label: identityLabel(user.person_type),
      nif: user.identity_number || "—",
    });
    form.querySelector("#requerente-identity").hidden = own;
    form.querySelector("#requerente-collective").hidden = party["requerente.type"] !== "coletiva";
    form.querySelector("#requerente-collective-other").hidden = party["requerente.collective_kind"] !== "outra";
    form.querySelector("#requerente-certidao").hidden = party["requerente.collective_kind"] !== "empresa";
    form.querySelector("#representante").hidden = !party.representing;
    form.querySelector("#representante-quality-other").hidden = party["representante.quality"] !== "outra";
    const postal = form.querySelector("#notification-postal");
    postal.querySelector("option[value=representante]").hidden = !party.representing;
    if (!party.representing && postal.value === "representante") postal.value = "";
    form.querySelector("#notification-other-address").hidden = postal.value !== "outra";
    for (const [channel] of CHANNELS) {
      form.querySelector(`#channel-${channel}-contact`).hidden = !form.querySelector(`#consent-${channel}`).checked;
    }
  }

  // A draft reopened: everything as it was saved.
  fill(process) {
    const { form, service } = this;
    for (const spec of service.fields) {
      const value = (process.fields || {})[spec.name];
      if (value === undefined || value === null) continue;
      form.querySelector(`#field-${spec.name}`).value = String(value);
    }
    const requerente = process.requerente || {};
    const representante = process.representante;
    const setValue = (id, value) => {
      if (value !== undefined && value !== null) form.querySelector(`#${id}`).value = value;
    };
    form.querySelector(`#party-role-${representante ? "representative" : "self"}`).checked = true;
    form.querySelector(`#requerente-type-${requerente.type === "coletiva" ? "coletiva" : "singular"}`).checked = true;
    if (representante) {
      setValue("requerente-name", requerente.name);
      setValue("requerente-identity_number", requerente.identity_number);
      setValue("representante-quality", representante.quality);
      setValue("representante-quality_other", representante.quality_other);
      fillAddress(form, "representante", representante.address);
    }
    setValue("requerente-collective_kind", requerente.collective_kind);
    setValue("requerente-collective_kind_other", requerente.collective_kind_other);
    setValue("requerente-certidao_code", requerente.certidao_code);
    fillAddress(form, "requerente", requerente.address);
    const notification = process.notification || {};
    setValue("notification-postal", notification.postal || "");
    fillAddress(form, "notification", notification.postal_address);
    for (const choice of notification.electronic || []) {
      form.querySelector(`#consent-${choice.channel}`).checked = Boolean(choice.consent);
      setValue(`contact-${choice.channel}`, choice.contact);
    }
    this.dirty = false;
    this.refresh();
  }

  // Everything the form says, as the API takes it, and what is wrong before sending.
  collect() {
    const { form, service, user } = this;
    const problems = [];
    const party = this.partyFacts();
    const current = { ...party, ...formValues(form, service.fields) };
    const fields = {};
    for (const spec of service.fields) {
      const input = form.querySelector(`#field-${spec.name}`);
      if (!applies(spec.when, current) || !input.value.trim()) {
        fields[spec.name] = null; // does not apply, or emptied: cleared on the draft
        continue;
      }
      if (spec.max_length && input.value.length > spec.max_length) {
        problems.push({
          input,
          message: t("{label}: no máximo {n} caracteres.", { label: spec.label, n: spec.max_length }),
        });
      }
      if (spec.type === "postal_code" && !POSTAL_CODE.test(input.value.trim())) {
        problems.push({ input, message: t("{label}: no formato 0000-000.", { label: spec.label }) });
      }
      fields[spec.name] = current[spec.name];
    }
    const text = (id) => form.querySelector(`#${id}`).value.trim();
    const requerente = party.representing
      ? {
          type: party["requerente.type"],
          name: text("requerente-name"),
          identity_number: text("requerente-identity_number"),
        }
      : {
          type: party["requerente.type"],
          name: user.name,
          identity_number: user.identity_number,
          email: user.email || null,
        };
    if (party.representing) {
      if (!requerente.name)
        problems.push({ input: form.querySelector("#requerente-name"), message: t("Indique o nome do requerente.") });
      if (!requerente.identity_number) {
        problems.push({
          input: form.querySelector("#requerente-identity_number"),
          message: t("Indique o NIF ou NIPC do requerente."),
        });
      }
    }
    if (requerente.type === "coletiva") {
      requerente.collective_kind = party["requerente.collective_kind"];
      if (requerente.collective_kind === "outra")
        requerente.collective_kind_other = text("requerente-collective_kind_other") || null;
      if (requerente.collective_kind === "empresa") requerente.certidao_code = text("requerente-certidao_code") || null;
    }
    requerente.address = addressValue(form, "requerente", problems);
    let representante = null;
    if (party.representing) {
      representante = {
        type: user.person_type === "company" ? "coletiva" : "singular",
        name: user.name,
        identity_number: user.identity_number,
        quality: party["representante.quality"],
        address: addressValue(form, "representante", problems),
      };
      if (!representante.quality) {
        problems.push({
          input: form.querySelector("#representante-quality"),
          message: t("Indique em que qualidade representa o requerente."),
        });
      } else if (representante.quality === "outra") {
        representante.quality_other = text("representante-quality_other") || null;
      }
    }
    const postal = form.querySelector("#notification-postal").value || null;
    const notification = {
      postal,
      postal_address: postal === "outra" ? addressValue(form, "notification", problems, { required: true }) : null,
      electronic: [],
    };
    // each channel's inputs are named by its place in the list sent, as the API's errors name them
    for (const [channel] of CHANNELS) {
      const consent = form.querySelector(`#consent-${channel}`);
      const contact = form.querySelector(`#contact-${channel}`);
      consent.removeAttribute("data-field");
      contact.removeAttribute("data-field");
      if (!consent.checked) continue;
      const index = notification.electronic.length;
      consent.dataset.field = `notification.electronic.${index}.consent`;
      contact.dataset.field = `notification.electronic.${index}.contact`;
      if (!contact.value.trim())
        problems.push({ input: contact, message: t("Indique o contacto para as notificações por este meio.") });
      notification.electronic.push({ channel, contact: contact.value.trim(), consent: true });
    }
    const chosen = notification.postal || notification.electronic.length;
    return { problems, fields, parts: { requerente, representante, notification: chosen ? notification : null } };
  }

  // Save the draft (create it the first time). Returns true once saved.
  async save({ moveOn = false } = {}) {
    const { problems, fields, parts } = this.collect();
    if (problems.length) {
      this.errors.show(problems);
      return false;
    }
    this.errors.form = this.form;
    this.errors.clear();
    let saved;
    try {
      saved = await busyWhile(this.saveButton, t("A guardar…"), () =>
        this.process
          ? saveDraft(this.process.process_id, { fields, ...parts })
          : createRequest(
              this.service.id,
              Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== null)),
              parts,
            ),
      );
    } catch (error) {
      if (this.ctx.isCurrent() && error.status !== 401) this.errors.showApiError(error);
      return false;
    }
    if (saved === undefined || !this.ctx.isCurrent()) return false; // a save was already under way
    const first = !this.process;
    this.process = saved;
    this.dirty = false;
    // A reload (or the link in "Os meus processos") reopens this draft.
    if (first) window.history.replaceState(null, "", `#/rascunhos/${encodeURIComponent(saved.process_id)}`);
    this.showDraft({ focus: moveOn });
    return true;
  }

  // -- steps 2 and 3, once the draft exists ------------------------------------------------------
  showDraft({ focus = false } = {}) {
    const { process } = this;
    this.draftStatus.replaceChildren(
      notice(
        "success",
        h(
          "p",
          {},
          t("Rascunho guardado em {when}.", { when: formatDateTime(process.updated_at || process.created_at) }),
          process.draft_expires_at
            ? ` ${t("Fica disponível até {date}.", { date: formatDate(process.draft_expires_at) })}`
            : "",
        ),
      ),
    );
    this.saveButton.textContent = t("Guardar alterações");
    this.showDocuments();
    this.showPreview();
    if (focus) {
      const heading = this.stepDocuments.querySelector("h2");
      heading.setAttribute("tabindex", "-1");
      heading.focus();
    }
  }

  // the documents that apply to this draft's options and to who asks, as the API says; a slot
  // already on the page keeps its state (an upload under way goes on)
  showDocuments() {
    const { process } = this;
    this.stepDocuments.hidden = false;
    const wanted = process.document_slots || [];
    const keep = new Map();
    for (const slot of wanted) {
      let upload = this.slots.get(slot.slot);
      if (!upload) {
        upload = new UploadSlot({
          processId: process.process_id,
          slot,
          documents: (process.documents || []).filter((doc) => doc.slot === slot.slot),
          errors: this.errors,
          onChange: () => this.updateSubmitState(),
        });
      }
      keep.set(slot.slot, upload);
    }
    this.slots = keep;
    this.slotList.replaceChildren(...[...keep.values()].map((upload) => upload.element));
    if (!keep.size) this.slotList.append(h("p", { id: "no-documents" }, t("Este pedido não pede documentos.")));
  }

  showPreview() {
    const { process, service } = this;
    this.stepPreview.hidden = false;
    const fieldRows = service.fields
      .filter((spec) => process.fields[spec.name] !== undefined)
      .map((spec) => [
        spec.label,
        displayValue(spec, process.fields[spec.name]),
        { class: "pre-line", "data-field-name": spec.name },
      ]);
    this.readiness = h("p", { id: "submit-readiness", "aria-live": "polite" });
    this.submitButton = h(
      "button",
      {
        type: "button",
        class: "button",
        id: "submit-request",
        "data-testid": "submit-request",
        onclick: () => this.submit(),
      },
      t("Submeter"),
    );
    this.stepPreview.replaceChildren(
      h("h2", { id: "step-submit-title" }, `3. ${t("Rever e submeter")}`),
      h(
        "p",
        {},
        t("Confira o pedido tal como está guardado. Para mudar alguma coisa, altere o formulário acima e guarde."),
      ),
      h("h3", {}, t("Dados do pedido")),
      fieldRows.length ? facts(fieldRows, { id: "draft-fields" }) : h("p", { id: "draft-fields" }, t("Sem dados.")),
      h("h3", {}, t("Quem pede")),
      partiesFacts(process, { id: "preview-parties" }),
      h("h3", {}, t("Notificações")),
      h("p", { id: "preview-notification" }, notificationText(process.notification)),
    );
    if (service.installments) this.showPlan();
    this.stepPreview.append(
      h("h3", {}, t("Submeter")),
      h(
        "p",
        {},
        t("Ao submeter, o pedido recebe um número e deixa de poder ser alterado. O prazo de decisão é de {deadline}.", {
          deadline: deadlineText(service.decision_deadline),
        }),
      ),
      this.readiness,
      h("div", { class: "button-row" }, this.submitButton),
    );
    this.updateSubmitState();
  }

  // the installment plan the server computes from the draft (or the rule the fields break)
  async showPlan() {
    const section = h(
      "section",
      { id: "installment-plan", "aria-labelledby": "plan-title" },
      h("h3", { id: "plan-title" }, t("Plano de pagamento (pré-visualização)")),
    );
    this.stepPreview.append(section);
    const processId = this.process.process_id;
    try {
      const { installments } = await requestPlan(processId);
      if (!section.isConnected) return;
      const total = installments.reduce((sum, item) => sum + item.amount_cents, 0);
      section.append(
        h(
          "p",
          { id: "plan-summary" },
          t("{n} prestações mensais, a pagar até ao dia 8 de cada mês; total {total}.", {
            n: installments.length,
            total: euros(total),
          }),
        ),
        h(
          "div",
          { class: "table-wrap" },
          h(
            "table",
            { class: "table" },
            h("caption", { class: "visually-hidden" }, t("Prestações do plano de pagamento")),
            h(
              "thead",
              {},
              h(
                "tr",
                {},
                h("th", { scope: "col" }, t("N.º")),
                h("th", { scope: "col" }, t("Data limite")),
                h("th", { scope: "col" }, t("Valor")),
              ),
            ),
            h(
              "tbody",
              {},
              installments.map((item) =>
                h(
                  "tr",
                  {},
                  h("td", {}, String(item.number)),
                  h("td", {}, formatDate(item.due_date)),
                  h("td", {}, item.amount_text),
                ),
              ),
            ),
          ),
        ),
      );
    } catch (error) {
      if (error.status !== 401 && section.isConnected)
        section.append(notice("warning", h("p", { id: "plan-problem" }, error.message)));
    }
  }

  missingDocuments() {
    return [...this.slots.values()].filter((upload) => upload.slot.required && !upload.accepted);
  }

  updateSubmitState() {
    if (!this.readiness || !this.readiness.isConnected) return;
    const uploads = [...this.slots.values()];
    const missing = this.missingDocuments();
    const busy = uploads.some((upload) => upload.busy);
    const ready = missing.length === 0 && !busy;
    if (busy) this.readiness.textContent = t("Aguarde o fim do envio e da verificação dos documentos.");
    else if (ready) this.readiness.textContent = t("Os documentos obrigatórios foram aceites. Pode submeter o pedido.");
    else
      this.readiness.textContent = `${t(missing.length > 1 ? "Faltam os documentos:" : "Falta o documento:")} ${missing.map((u) => u.slot.label).join("; ")}.`;
    this.submitButton.dataset.ready = String(ready);
    this.markStep(missing.length === 0 ? 3 : 2);
  }

  async submit() {
    if (this.submitting) return;
    // what was typed since the last save goes with the submission
    if (this.dirty && !(await this.save())) return;
    const uploads = [...this.slots.values()];
    const busy = uploads.filter((upload) => upload.busy);
    if (busy.length) {
      this.errors.show(
        busy.map((upload) => ({
          input: upload.input,
          message: t("Aguarde o fim do envio e da verificação: {label}.", { label: upload.slot.label }),
        })),
      );
      return;
    }
    const missing = this.missingDocuments();
    if (missing.length) {
      this.errors.show(
        missing.map((upload) => ({
          input: upload.input,
          message: t("Falta o documento: {label}.", { label: upload.slot.label }),
        })),
      );
      return;
    }
    this.errors.form = null;
    this.errors.clear();
    this.submitting = true;
    let submitted;
    try {
      submitted = await busyWhile(this.submitButton, t("A submeter…"), () => submitRequest(this.process.process_id));
    } catch (error) {
      // fields.x, requerente.x, notification.x beside the form's inputs; documents.<slot> beside its file input
      if (this.ctx.isCurrent() && error.status !== 401) this.errors.showApiError(error);
      return;
    } finally {
      this.submitting = false;
    }
    if (this.ctx.isCurrent() && submitted) this.showConfirmation(submitted);
  }

  showConfirmation(process) {
    const { container } = this.ctx;
    const link = `#/processos/${encodeURIComponent(process.process_id)}`;
    this.ctx.setTitle(`${t("Pedido submetido")}: ${process.number}`);
    container.replaceChildren(
      h(
        "div",
        { class: "panel-confirmation", "data-testid": "confirmation" },
        h("h1", { tabindex: "-1", id: "confirmation-title" }, t("Pedido submetido")),
        h("p", {}, t("O número do seu processo é")),
        h("p", { class: "process-number", id: "process-number", "data-testid": "process-number" }, process.number),
      ),
      h(
        "p",
        {},
        t(
          "Guarde este número: com ele acompanha o pedido aqui ou na consulta pública. Enviámos-lhe o comprovativo da submissão por email.",
        ),
      ),
      process.payment
        ? h(
            "section",
            { id: "payment-reference", "aria-labelledby": "payment-title" },
            h("h2", { id: "payment-title" }, t("Pagamento por Multibanco")),
            facts([
              [t("Entidade"), process.payment.entity],
              [t("Referência"), process.payment.reference_text],
              [t("Valor"), process.payment.amount_text],
            ]),
            h(
              "p",
              {},
              process.payment.before_decision
                ? t("A apreciação do pedido começa depois do pagamento. Enviámos também estes dados por email.")
                : t("Enviámos também estes dados por email."),
            ),
          )
        : null,
      h("h2", {}, t("O que acontece a seguir")),
      h(
        "p",
        {},
        t("Os serviços do Município vão apreciar o pedido. A decisão é tomada até {date}", {
          date: formatDate(process.decision_deadline),
        }),
        process.working_days_left !== null && process.working_days_left !== undefined
          ? ` (${workingDaysText(process.working_days_left)})`
          : "",
        ". ",
        t("É notificado da decisão e pode acompanhar o estado em «Os meus processos»."),
      ),
      h(
        "div",
        { class: "button-row" },
        h("a", { class: "button", href: link, id: "view-process-link" }, t("Ver o processo")),
        h("a", { class: "button button--secondary", href: "#/processos" }, t("Os meus processos")),
      ),
    );
    container.querySelector("#confirmation-title").focus();
    window.scrollTo(0, 0);
  }
}

// -- who asks and notification, as text (the preview here and the process page)
const KIND_LABELS = Object.fromEntries(COLLECTIVE_KINDS);
const QUALITY_LABELS = Object.fromEntries(QUALITIES);

export function partiesFacts(process, attrs = {}) {
  const requerente = process.requerente || {};
  const representante = process.representante;
  const who = (person) =>
    `${person.name || "—"}${person.identity_number ? ` (${identityLabel(person.type)} ${person.identity_number})` : ""}`;
  const address = (a) => (a ? `${a.street}, ${a.postal_code} ${a.locality}` : null);
  let kind = requerente.type === "coletiva" ? t("Pessoa coletiva") : t("Pessoa singular");
  if (requerente.collective_kind) {
    kind += ` — ${requerente.collective_kind === "outra" && requerente.collective_kind_other ? requerente.collective_kind_other : t(KIND_LABELS[requerente.collective_kind])}`;
  }
  return facts(
    [
      [t("Requerente"), who(requerente)],
      [t("Tipo"), kind],
      requerente.certidao_code ? [t("Certidão permanente"), requerente.certidao_code] : null,
      address(requerente.address) ? [t("Morada do requerente"), address(requerente.address)] : null,
      representante ? [t("Representante"), who(representante)] : null,
      representante
        ? [
            t("Qualidade"),
            representante.quality === "outra" && representante.quality_other
              ? representante.quality_other
              : t(QUALITY_LABELS[representante.quality] || representante.quality || "—"),
          ]
        : null,
      representante && address(representante.address)
        ? [t("Morada do representante"), address(representante.address)]
        : null,
    ],
    attrs,
  );
}

export function notificationText(notification) {
  const choice = notification || {};
  const parts = [];
  const postal = {
    requerente: t("por correio, para a morada do requerente"),
    representante: t("por correio, para a morada do representante"),
    outra: choice.postal_address
      ? t("por correio, para {address}", {
          address: `${choice.postal_address.street}, ${choice.postal_address.postal_code} ${choice.postal_address.locality}`,
        })
      : "",
  }[choice.postal];
  if (postal) parts.push(postal);
  const names = Object.fromEntries(CHANNELS);
  for (const channel of choice.electronic || []) {
    if (channel.consent)
      parts.push(
        t("por {channel} ({contact}), com o seu consentimento", {
          channel: t(names[channel.channel] || channel.channel),
          contact: channel.contact,
        }),
      );
  }
  if (!parts.length) return t("Através da sua conta do Balcão Único, pela mesma via em que fez o pedido.");
  const text = parts.join("; ");
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}

// -- addresses: street, postal code (0000-000), locality
function addressFields(prefix, legend, hint, fieldPath = `${prefix}.address`) {
  const hintId = hint ? `${prefix}-address-hint` : null;
  return h(
    "fieldset",
    { class: "fieldset fieldset--nested", id: `${prefix}-address`, "aria-describedby": hintId },
    h("legend", {}, legend),
    hint ? h("span", { class: "hint", id: hintId }, hint) : null,
    textField({ id: `${prefix}-street`, label: t("Rua e número"), field: `${fieldPath}.street`, autocomplete: "off" }),
    textField({
      id: `${prefix}-postal_code`,
      label: t("Código postal"),
      field: `${fieldPath}.postal_code`,
      hint: t("No formato 0000-000."),
      inputClass: "input--short",
    }),
    textField({
      id: `${prefix}-locality`,
      label: t("Localidade"),
      field: `${fieldPath}.locality`,
      inputClass: "input--medium",
    }),
  );
}

function fillAddress(form, prefix, address) {
  if (!address) return;
  form.querySelector(`#${prefix}-street`).value = address.street || "";
  form.querySelector(`#${prefix}-postal_code`).value = address.postal_code || "";
  form.querySelector(`#${prefix}-locality`).value = address.locality || "";
}

// The address typed, or null when left empty; a partial one, or a wrong postal code, is a problem.
function addressValue(form, prefix, problems, { required = false } = {}) {
  const input = (name) => form.querySelector(`#${prefix}-${name}`);
  const value = {
    street: input("street").value.trim(),
    postal_code: input("postal_code").value.trim(),
    locality: input("locality").value.trim(),
  };
  if (!value.street && !value.postal_code && !value.locality && !required) return null;
  if (!value.street) problems.push({ input: input("street"), message: t("Indique a rua e o número.") });
  if (!POSTAL_CODE.test(value.postal_code))
    problems.push({ input: input("postal_code"), message: t("Código postal no formato 0000-000.") });
  if (!value.locality) problems.push({ input: input("locality"), message: t("Indique a localidade.") });
  return value;
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

// The catalogue's conditions on other fields and on who asks (every condition must hold).
function applies(conditions, values) {
  return (conditions || []).every((condition) => condition.one_of.includes(values[condition.field]));
}

// A field's value as the citizen reads it: a choice by its label, money in euros, yes/no.
export function displayValue(spec, value) {
  if (value === undefined || value === null || value === "") return "—";
  if (spec.type === "boolean") return value ? t("Sim") : t("Não");
  if (spec.type === "choice") return (spec.options.find((option) => option.value === value) || { label: value }).label;
  if (spec.type === "money") return euros(Math.round(Number(String(value).replace(",", ".")) * 100));
  return String(value);
}

function choiceField(spec, options) {
  const id = `field-${spec.name}`;
  const hintId = spec.hint ? `${id}-hint` : null;
  return h(
    "div",
    { class: "form-group" },
    h("label", { for: id }, spec.label),
    spec.hint ? h("span", { class: "hint", id: hintId }, spec.hint) : null,
    h(
      "select",
      { id, name: spec.name, "data-field": `fields.${spec.name}`, required: spec.required, "aria-describedby": hintId },
      h("option", { value: "" }, "Escolha…"),
      options.map(([value, label]) => h("option", { value }, label)),
    ),
  );
}

function fieldFor(spec) {
  if (spec.type === "choice")
    return choiceField(
      spec,
      spec.options.map((option) => [option.value, option.label]),
    );
  if (spec.type === "boolean")
    return choiceField(spec, [
      ["true", "Sim"],
      ["false", "Não"],
    ]);
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
    const text =
      left >= 0
        ? tn(left, "Resta {n} caráter.", "Restam {n} caracteres.", { n: left.toLocaleString(locale()) })
        : tn(-left, "Tem {n} caráter a mais.", "Tem {n} caracteres a mais.", { n: (-left).toLocaleString(locale()) });
    visible.textContent = text;
    visible.classList.toggle("field-error", left < 0);
    clearTimeout(timer);
    timer = setTimeout(() => {
      spoken.textContent = text;
    }, 1200);
  };
  input.addEventListener("input", update);
  visible.textContent = tn(max, "Resta {n} caráter.", "Restam {n} caracteres.", { n: max.toLocaleString(locale()) });
}

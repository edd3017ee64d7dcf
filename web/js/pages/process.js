// One of my processes: GET /api/requests/{id} — status, fields, documents with their status, the
// decision with its grounds, the decision deadline and the working days left, the Multibanco
// reference when there is a fee, the installment plan, who asks and how they are notified; what the
// services ask (pendências, the prior hearing, signatures: js/tasks.js), the messages about the
// process (js/messages.js), the timeline of every step, and who in the services read its data.
//
// The body is a list of sections (SECTIONS), each a function of (process, service, page) returning a
// node or null, in the order shown. `page` = { processId, errors, refresh({message, focus}) }; it is
// null on a read-only view (a process released to someone who is not its requerente: RELEASED_SECTIONS).
import { documentDownload, getRequest, processDataAccess, receiptDownload, getService } from "../api.js";
import { dataAccessSection } from "../data-access.js";
import { t } from "../i18n.js";
import { processMessagesSection } from "../messages.js";
import { hearingSection, openTasksNotice, pendingTasksSection, signaturesSection } from "../tasks.js";
import { displayValue, notificationText, partiesFacts } from "./new-request.js";
import { h, breadcrumbs, facts, fetchedDownload, focusOn, notice } from "../dom.js";
import { formatBytes, formatDate, formatDateTime, workingDaysText } from "../format.js";
import { ErrorSummary } from "../forms.js";
import { documentStatusTag, organLabel, statusLabel, statusTag } from "../labels.js";

const TRANSIENT = ["submetido"]; // the workflow moves on by itself within seconds
const REFRESH_MS = 3000;
const REFRESH_LIMIT = 20;

export async function render(ctx) {
  const [processId] = ctx.params;
  return renderProcess(ctx, { processId, load: getRequest, readOnly: false });
}

// The page of one process: the citizen's own (`readOnly` false), or one released to them (true);
// `lead`: a node shown under the title (what kind of view this is).
export async function renderProcess(
  ctx,
  {
    processId,
    load,
    readOnly,
    crumbs = [[t("Os meus processos"), "#/processos"]],
    back = ["#/processos", t("Voltar aos meus processos")],
    lead = null,
  },
) {
  const { container } = ctx;
  const process = await load(processId);
  if (!ctx.isCurrent()) return;
  let service = null;
  try {
    service = await getService(process.service_id);
  } catch {
    service = null; // labels fall back to the field names
  }
  if (!ctx.isCurrent()) return;

  const title = process.number || t("Rascunho");
  ctx.setTitle(t("Processo {number}", { number: title }));
  const announcer = h("p", { class: "visually-hidden", role: "status", id: "process-announcer" });
  const body = h("div", { id: "process-body" });
  container.append(
    breadcrumbs([...crumbs, [title]]),
    h("span", { class: "caption" }, process.service_title),
    h(
      "h1",
      { id: "process-title" },
      process.number ? t("Processo {number}", { number: process.number }) : t("Pedido por submeter (rascunho)"),
    ),
    ...(lead ? [lead] : []),
    announcer,
    body,
  );
  const errors = readOnly ? null : new ErrorSummary(container);
  let current = process;
  const page = readOnly
    ? null
    : {
        processId,
        errors,
        // after an answer, a signature or a message: the process as it is now, said aloud, the focus
        // on what changed
        refresh: async ({ message, focus } = {}) => {
          try {
            await refresh({ announce: true, message });
          } catch (error) {
            if (error.status !== 401) announcer.textContent = error.message;
            return;
          }
          const target = focus && document.getElementById(focus);
          if (target) focusOn(target);
        },
      };
  const sections = readOnly ? RELEASED_SECTIONS : SECTIONS;
  const draw = (shown, { keepTyped = false } = {}) => {
    if (errors) errors.clear();
    const typed = keepTyped ? typedValues(body) : [];
    body.replaceChildren(
      ...sections
        .map((section) => section(shown, service, page))
        .flat()
        .filter(Boolean),
    );
    restoreTyped(body, typed);
  };
  draw(process);

  const refreshButton = h(
    "button",
    { type: "button", class: "button button--secondary", id: "refresh-process" },
    t("Atualizar"),
  );
  container.append(h("div", { class: "button-row" }, refreshButton, h("a", { href: back[0] }, back[1])));

  // `keepTyped`: a redraw that only brings news (the button, the follow-up after submitting) keeps
  // what the citizen has typed and not sent; after their own answer or message it is not kept.
  const refresh = async ({ announce, message, keepTyped = false }) => {
    const next = await load(processId);
    if (!ctx.isCurrent()) return current;
    const changed =
      next.status !== current.status ||
      JSON.stringify(next.documents) !== JSON.stringify(current.documents) ||
      JSON.stringify(next.pending_tasks) !== JSON.stringify(current.pending_tasks);
    if (announce || changed) {
      draw(next, { keepTyped });
      const state =
        next.status !== current.status
          ? t("O estado do processo mudou para: {status}.", { status: statusLabel(next.status) })
          : t("Informação atualizada. Estado: {status}.", { status: statusLabel(next.status) });
      announcer.textContent = message ? `${message} ${state}` : state;
    }
    current = next;
    return next;
  };
  refreshButton.addEventListener("click", async () => {
    refreshButton.setAttribute("aria-disabled", "true");
    try {
      await refresh({ announce: true, keepTyped: true });
    } catch (error) {
      if (error.status !== 401) announcer.textContent = error.message;
    } finally {
      refreshButton.removeAttribute("aria-disabled");
    }
  });

  // Just submitted: follow the workflow for a short while, so the citizen sees it move on.
  (async () => {
    for (let i = 0; i < REFRESH_LIMIT && TRANSIENT.includes(current.status); i += 1) {
      await new Promise((resolve) => setTimeout(resolve, REFRESH_MS));
      if (!ctx.isCurrent()) return;
      try {
        await refresh({ announce: false, keepTyped: true });
      } catch {
        return;
      }
    }
  })();
}

const SECTIONS = [
  notices,
  openTasksNotice,
  summary,
  receipt,
  decision,
  taskSections,
  payment,
  installmentPlan,
  requestFields,
  parties,
  documentsSection,
  processMessagesSection,
  timeline,
  dataAccess,
];

// Who in the services read this process's data (a draft has been read by nobody but its filer).
function dataAccess(process) {
  if (!process.number) return null;
  return dataAccessSection(() => processDataAccess(process.process_id), { id: "process-data-access" });
}
// What the services asked, by kind; a kind with something still to answer comes first.
function taskSections(process, service, page) {
  const open = (kind) => (process.pending_tasks || []).some((task) => task.kind === kind && task.status === "aberta");
  return [
    ["assinatura", signaturesSection],
    ["audiencia", hearingSection],
    ["pendencia", pendingTasksSection],
  ]
    .sort(([a], [b]) => Number(open(b)) - Number(open(a)))
    .map(([, section]) => section(process, service, page));
}

// Released to someone else: what the process is and where it stands, not what is asked of its requerente.
const RELEASED_SECTIONS = [summary, decision, requestFields, documentsSection, timeline];

function notices(process) {
  const parts = [];
  if (process.status === "rascunho") {
    parts.push(
      notice(
        "warning",
        h("p", {}, t("Este pedido ainda não foi submetido.")),
        h(
          "p",
          {},
          h(
            "a",
            { href: `#/rascunhos/${encodeURIComponent(process.process_id)}`, id: "continue-draft" },
            t("Continuar o pedido"),
          ),
        ),
      ),
    );
  }
  if (process.status === "documentos_rejeitados") {
    parts.push(
      notice(
        "error",
        h(
          "p",
          {},
          t(
            "Há documentos deste processo que foram recusados na verificação automática. Veja o motivo na lista de documentos e contacte os serviços do Município.",
          ),
        ),
      ),
    );
  }
  return parts;
}

function summary(process) {
  let deadline = "—";
  if (process.decision_deadline) {
    deadline = formatDate(process.decision_deadline);
    if (process.working_days_left !== null && process.working_days_left !== undefined) {
      deadline += ` (${workingDaysText(process.working_days_left)})`;
    }
  }
  return facts(
    [
      [t("Estado"), statusTag(process.status, { id: "process-status", "data-testid": "process-status" })],
      [t("Número"), process.number || t("Atribuído ao submeter"), { id: "process-number" }],
      [t("Serviço"), process.service_title],
      [t("Entidade"), organLabel(process.organ)],
      [t("Criado em"), formatDateTime(process.created_at)],
      [t("Submetido em"), process.submitted_at ? formatDateTime(process.submitted_at) : "—"],
      [
        t("Prazo de decisão"),
        deadline,
        {
          id: "process-deadline",
          "data-deadline": process.decision_deadline || "",
          "data-working-days-left": process.working_days_left ?? "",
        },
      ],
    ],
    { id: "process-facts" },
  );
}

function decision(process) {
  if (!process.decision) return null;
  return h(
    "section",
    { "aria-labelledby": "decision-title", id: "process-decision", "data-decision": process.decision },
    h("h2", { id: "decision-title" }, t("Decisão")),
    h(
      "div",
      { class: `decision decision--${process.decision}` },
      h(
        "p",
        {},
        h("strong", { id: "process-decision-value" }, statusLabel(process.decision)),
        process.decided_at ? ` ${t("em")} ${formatDateTime(process.decided_at)}` : "",
      ),
      process.decision_grounds
        ? [
            h("h3", {}, t("Fundamentação")),
            h("p", { class: "pre-line", id: "process-decision-grounds" }, process.decision_grounds),
          ]
        : null,
    ),
  );
}

function payment(process) {
  if (!process.payment) return null;
  const paid = process.payment.status === "pago";
  const paidText = process.payment.paid_at
    ? t("Pago em {at}", { at: formatDateTime(process.payment.paid_at) })
    : t("Pago");
  return h(
    "section",
    { "aria-labelledby": "payment-title", id: "process-payment", "data-payment-status": process.payment.status },
    h("h2", { id: "payment-title" }, t("Pagamento")),
    facts([
      [t("Estado"), paid ? paidText : t("Por pagar")],
      [t("Entidade"), process.payment.entity],
      [t("Referência Multibanco"), process.payment.reference_text, { id: "payment-reference" }],
      [t("Valor"), process.payment.amount_text],
      process.payment.due_date ? [t("Pagar até"), formatDate(process.payment.due_date)] : null,
    ]),
    paid
      ? null
      : h(
          "p",
          {},
          process.payment.before_decision
            ? t(
                "Pague num terminal Multibanco ou no homebanking (Pagamentos de serviços). A apreciação do pedido começa depois do pagamento.",
              )
            : t("Pague num terminal Multibanco ou no homebanking (Pagamentos de serviços)."),
        ),
    paid ? h("p", {}, t("O recibo do pagamento foi enviado por email.")) : null,
  );
}

function installmentPlan(process) {
  if (!(process.installment_plan && process.installment_plan.length)) return null;
  const plan = process.installment_plan;
  return h(
    "section",
    { "aria-labelledby": "plan-title", id: "process-plan" },
    h("h2", { id: "plan-title" }, t("Plano de pagamento")),
    h("p", {}, t("{n} prestações mensais, a pagar até ao dia 8 de cada mês.", { n: plan.length })),
    h(
      "ul",
      {},
      plan.map((item) =>
        h(
          "li",
          {},
          t("{n}.ª: {amount} até {date}", {
            n: item.number,
            amount: item.amount_text,
            date: formatDate(item.due_date),
          }),
        ),
      ),
    ),
  );
}

function parties(process) {
  if (!process.requerente) return null;
  return h(
    "section",
    { "aria-labelledby": "parties-title", id: "process-parties" },
    h("h2", { id: "parties-title" }, t("Quem pede")),
    partiesFacts(process),
    h("h3", {}, t("Notificações")),
    h("p", { id: "process-notification" }, notificationText(process.notification)),
  );
}

function requestFields(process, service) {
  const specs = Object.fromEntries((service ? service.fields : []).map((spec) => [spec.name, spec]));
  const fieldNames = Object.keys(process.fields || {});
  return h(
    "section",
    { "aria-labelledby": "fields-title" },
    h("h2", { id: "fields-title" }, t("Dados do pedido")),
    fieldNames.length
      ? facts(
          fieldNames.map((name) => [
            specs[name] ? specs[name].label : name,
            specs[name] ? displayValue(specs[name], process.fields[name]) : shown(process.fields[name]),
            { class: "pre-line", "data-field-name": name },
          ]),
          { id: "process-fields" },
        )
      : h("p", {}, t("Sem dados.")),
  );
}

// Documents that are not one of the service's slots: what the decision stage added.
function slotLabel(slot, labels) {
  if (labels[slot]) return labels[slot];
  if (slot.startsWith("tarefa_")) return t("Resposta a uma pendência");
  return t(
    { mensagem: "Anexo de mensagem", assinado: "Documento assinado", plano_pagamento: "Plano de pagamento" }[slot] ||
      slot,
  );
}

function documentsSection(process, service, page) {
  const slotLabels = Object.fromEntries(
    (service ? [...service.documents, ...(service.party_documents || [])] : []).map((slot) => [slot.slot, slot.label]),
  );
  const documents = process.documents || [];
  const columns = [t("Ficheiro"), t("Documento"), t("Estado")];
  return h(
    "section",
    { "aria-labelledby": "documents-title" },
    h("h2", { id: "documents-title" }, t("Documentos")),
    documents.length
      ? h(
          "table",
          { class: "table table--stack", id: "process-documents" },
          h("caption", { class: "visually-hidden" }, t("Documentos do processo")),
          h(
            "thead",
            {},
            h(
              "tr",
              {},
              columns.map((label) => h("th", { scope: "col" }, label)),
              page ? h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, t("Ações"))) : null,
            ),
          ),
          h(
            "tbody",
            {},
            documents.map((doc) =>
              h(
                "tr",
                { "data-document-id": doc.document_id, "data-status": doc.status },
                h(
                  "td",
                  { "data-label": columns[0] },
                  doc.filename,
                  doc.size ? h("span", { class: "muted" }, ` (${formatBytes(doc.size)})`) : "",
                ),
                h("td", { "data-label": columns[1] }, slotLabel(doc.slot, slotLabels)),
                h(
                  "td",
                  { "data-label": columns[2] },
                  documentStatusTag(doc.status),
                  doc.status === "rejeitado" && doc.reason ? h("p", { class: "field-error" }, doc.reason) : null,
                ),
                page ? h("td", {}, doc.status === "aceite" ? downloadButton(process.process_id, doc) : null) : null,
              ),
            ),
          ),
        )
      : h("p", {}, t("Sem documentos.")),
  );
}

// The receipt ("comprovativo de entrega") of a submitted process: the PDF with the data and each
// document's SHA-256, issued once the documents are inspected.
function receipt(process) {
  if (!process.number) return null;
  return h(
    "p",
    { id: "process-receipt" },
    ...fetchedDownload(
      "download-receipt",
      t("Descarregar o comprovativo de entrega (PDF)"),
      t("Descarregar o comprovativo de entrega (PDF)"),
      () => receiptDownload(process.process_id),
    ),
  );
}

function downloadButton(processId, doc) {
  return fetchedDownload(`download-${doc.document_id}`, t("Descarregar"), `${t("Descarregar")} ${doc.filename}`, () =>
    documentDownload(processId, doc.document_id),
  );
}

// -- the timeline: every step of the process, dated, in words (the API's own label, translated), with
// what each step concerns (a deadline, which notification)
const NOTIFICATION_NAMES = {
  submission_receipt: "comprovativo de submissão",
  payment_reference: "referência de pagamento",
  payment_receipt: "recibo do pagamento",
  pending_task: "pedido de elementos",
  prior_hearing: "audiência prévia",
  signature_request: "pedido de assinatura",
  decision: "decisão",
  new_message: "nova mensagem",
  view_granted: "vista do processo",
  draft_expiring: "rascunho a expirar",
  message_from_citizen: "mensagem para os serviços",
};
// The API's words, made plainer where a step needs more than its name.
const TIMELINE_WORDS = { "message.sent": "Mensagem sobre o processo" };

function timeline(process) {
  const events = process.timeline || [];
  if (!events.length) return null;
  return h(
    "section",
    { id: "process-timeline", "aria-labelledby": "timeline-title" },
    h("h2", { id: "timeline-title" }, t("Histórico do processo")),
    h(
      "ol",
      { class: "timeline", id: "timeline-list" },
      events.map((event) => {
        let detail = null;
        if (event.deadline) detail = ` (${t("prazo até {date}", { date: formatDate(event.deadline) })})`;
        else if (event.until)
          detail = ` — ${event.grantee_name || ""}, ${t("até {date}", { date: formatDate(event.until) })}`;
        else if (event.grantee_name) detail = ` — ${event.grantee_name}`;
        else if (event.template && NOTIFICATION_NAMES[event.template])
          detail = ` — ${t(NOTIFICATION_NAMES[event.template])}`;
        return h(
          "li",
          { class: "timeline__event", "data-action": event.action },
          h("time", { datetime: event.at, class: "timeline__date" }, formatDateTime(event.at)),
          h(
            "span",
            { class: "timeline__label" },
            t(TIMELINE_WORDS[event.action] || event.label || event.action),
            detail || "",
          ),
        );
      }),
    ),
  );
}

// Text typed in the page's answer and message forms, by input id (never passwords or files).
function typedValues(root) {
  return [
    ...root.querySelectorAll(
      "textarea[id], input[id]:not([type=password]):not([type=file]):not([type=checkbox]):not([type=radio]):not([type=hidden])",
    ),
  ]
    .filter((input) => input.value)
    .map((input) => [input.id, input.value]);
}

function restoreTyped(root, typed) {
  for (const [id, value] of typed) {
    const input = root.querySelector(`#${CSS.escape(id)}`);
    if (input && !input.value) {
      input.value = value;
      input.dispatchEvent(new Event("input", { bubbles: true })); // character counters follow
    }
  }
}

function shown(value) {
  if (value === true) return t("Sim");
  if (value === false) return t("Não");
  return String(value);
}

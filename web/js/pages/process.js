// One of my processes: GET /api/requests/{id} — status, fields, documents with their status, the
// decision with its grounds, the decision deadline and the working days left, the Multibanco
// reference when there is a fee, the installment plan, who asks and how they are notified.
//
// The body is a list of sections (SECTIONS), each a function of (process, service) returning a node
// or null, in the order shown. Pending tasks, signatures, messages and the timeline (issue 6) are
// added as sections here, without touching the rest.
import { documentDownload, getRequest, receiptDownload, getService } from "../api.js";
import { t } from "../i18n.js";
import { notificationText, partiesFacts } from "./new-request.js";
import {
  h, breadcrumbs, documentStatusTag, facts, formatBytes, formatDate, formatDateTime, notice, organLabel,
  statusLabel, statusTag, workingDaysText,
} from "../ui.js";

const TRANSIENT = ["submetido"]; // the workflow moves on by itself within seconds
const REFRESH_MS = 3000;
const REFRESH_LIMIT = 20;

export async function render(ctx) {
  const { container } = ctx;
  const [processId] = ctx.params;
  const process = await getRequest(processId);
  if (!ctx.isCurrent()) return;
  let service = null;
  try {
    service = await getService(process.service_id);
  } catch {
    service = null; // labels fall back to the field names
  }
  if (!ctx.isCurrent()) return;

  const title = process.number || "Rascunho";
  ctx.setTitle(`Processo ${title}`);
  const announcer = h("p", { class: "visually-hidden", role: "status", id: "process-announcer" });
  const body = h("div", { id: "process-body" });
  container.append(
    breadcrumbs([["Os meus processos", "#/processos"], [title]]),
    h("span", { class: "caption" }, process.service_title),
    h("h1", { id: "process-title" }, process.number ? `Processo ${process.number}` : "Pedido por submeter (rascunho)"),
    announcer,
    body,
  );
  renderBody(body, process, service);

  const refreshButton = h("button", { type: "button", class: "button button--secondary", id: "refresh-process" }, t("Atualizar"));
  container.append(h("div", { class: "button-row" }, refreshButton, h("a", { href: "#/processos" }, t("Voltar aos meus processos"))));

  let current = process;
  const refresh = async ({ announce }) => {
    const next = await getRequest(processId);
    if (!ctx.isCurrent()) return current;
    if (announce || next.status !== current.status || JSON.stringify(next.documents) !== JSON.stringify(current.documents)) {
      renderBody(body, next, service);
      announcer.textContent = next.status !== current.status
        ? `O estado do processo mudou para: ${statusLabel(next.status)}.`
        : `Informação atualizada. Estado: ${statusLabel(next.status)}.`;
    }
    current = next;
    return next;
  };
  refreshButton.addEventListener("click", async () => {
    refreshButton.setAttribute("aria-disabled", "true");
    try {
      await refresh({ announce: true });
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
        await refresh({ announce: false });
      } catch {
        return;
      }
    }
  })();
}

function renderBody(body, process, service) {
  body.replaceChildren(...SECTIONS.map((section) => section(process, service)).flat().filter(Boolean));
}

const SECTIONS = [notices, summary, receipt, decision, payment, installmentPlan, requestFields, parties, documentsSection];

function notices(process) {
  const parts = [];
  if (process.status === "rascunho") {
    parts.push(notice("warning",
      h("p", {}, "Este pedido ainda não foi submetido."),
      h("p", {}, h("a", { href: `#/rascunhos/${encodeURIComponent(process.process_id)}`, id: "continue-draft" }, "Continuar o pedido"))));
  }
  if (process.status === "documentos_rejeitados") {
    parts.push(notice("error", h("p", {},
      "Há documentos deste processo que foram recusados na verificação automática. Veja o motivo na lista de documentos e contacte os serviços do Município.")));
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
  return facts([
    [t("Estado"), statusTag(process.status, { id: "process-status", "data-testid": "process-status" })],
    [t("Número"), process.number || "Atribuído ao submeter", { id: "process-number" }],
    [t("Serviço"), process.service_title],
    [t("Entidade"), organLabel(process.organ)],
    [t("Criado em"), formatDateTime(process.created_at)],
    [t("Submetido em"), process.submitted_at ? formatDateTime(process.submitted_at) : "—"],
    [t("Prazo de decisão"), deadline, { id: "process-deadline", "data-deadline": process.decision_deadline || "",
      "data-working-days-left": process.working_days_left ?? "" }],
  ], { id: "process-facts" });
}

function decision(process) {
  if (!process.decision) return null;
  return h("section", { "aria-labelledby": "decision-title", id: "process-decision", "data-decision": process.decision },
      h("h2", { id: "decision-title" }, t("Decisão")),
      h("div", { class: `decision decision--${process.decision}` },
        h("p", {}, h("strong", { id: "process-decision-value" }, statusLabel(process.decision)),
          process.decided_at ? ` em ${formatDateTime(process.decided_at)}` : ""),
        process.decision_grounds
          ? [h("h3", {}, t("Fundamentação")), h("p", { class: "pre-line", id: "process-decision-grounds" }, process.decision_grounds)]
          : null));
}

function payment(process) {
  if (!process.payment) return null;
  const paid = process.payment.status === "pago";
  return h("section", { "aria-labelledby": "payment-title", id: "process-payment", "data-payment-status": process.payment.status },
      h("h2", { id: "payment-title" }, t("Pagamento")),
      facts([
        [t("Estado"), paid ? `Pago${process.payment.paid_at ? ` em ${formatDateTime(process.payment.paid_at)}` : ""}` : "Por pagar"],
        [t("Entidade"), process.payment.entity],
        [t("Referência Multibanco"), process.payment.reference_text, { id: "payment-reference" }],
        [t("Valor"), process.payment.amount_text],
        process.payment.due_date ? [t("Pagar até"), formatDate(process.payment.due_date)] : null,
      ]),
      paid ? null : h("p", {}, process.payment.before_decision
        ? t("Pague num terminal Multibanco ou no homebanking (Pagamentos de serviços). A apreciação do pedido começa depois do pagamento.")
        : t("Pague num terminal Multibanco ou no homebanking (Pagamentos de serviços).")),
      paid ? h("p", {}, t("O recibo do pagamento foi enviado por email.")) : null);
}

function installmentPlan(process) {
  if (!(process.installment_plan && process.installment_plan.length)) return null;
  const plan = process.installment_plan;
  return h("section", { "aria-labelledby": "plan-title", id: "process-plan" },
    h("h2", { id: "plan-title" }, t("Plano de pagamento")),
    h("p", {}, t("{n} prestações mensais, a pagar até ao dia 8 de cada mês.", { n: plan.length })),
    h("ul", {}, plan.map((item) => h("li", {}, `${item.number}.ª: ${item.amount_text} até ${formatDate(item.due_date)}`))));
}

function parties(process) {
  if (!process.requerente) return null;
  return h("section", { "aria-labelledby": "parties-title", id: "process-parties" },
    h("h2", { id: "parties-title" }, t("Quem pede")),
    partiesFacts(process),
    h("h3", {}, t("Notificações")),
    h("p", { id: "process-notification" }, notificationText(process.notification)));
}

function requestFields(process, service) {
  const labels = Object.fromEntries((service ? service.fields : []).map((spec) => [spec.name, spec.label]));
  const fieldNames = Object.keys(process.fields || {});
  return h("section", { "aria-labelledby": "fields-title" },
    h("h2", { id: "fields-title" }, t("Dados do pedido")),
    fieldNames.length
      ? facts(fieldNames.map((name) => [labels[name] || name, shown(process.fields[name]), { class: "pre-line", "data-field-name": name }]),
        { id: "process-fields" })
      : h("p", {}, t("Sem dados.")));
}

function documentsSection(process, service) {
  const slotLabels = Object.fromEntries((service ? [...service.documents, ...(service.party_documents || [])] : [])
    .map((slot) => [slot.slot, slot.label]));
  const documents = process.documents || [];
  return h("section", { "aria-labelledby": "documents-title" },
    h("h2", { id: "documents-title" }, t("Documentos")),
    documents.length
      ? h("table", { class: "table table--stack", id: "process-documents" },
        h("caption", { class: "visually-hidden" }, "Documentos do processo"),
        h("thead", {}, h("tr", {}, ["Ficheiro", "Documento", "Estado", ""].map((label, i) =>
          h("th", { scope: "col" }, label || (i === 3 ? h("span", { class: "visually-hidden" }, "Ações") : ""))))),
        h("tbody", {}, documents.map((doc) => h("tr", { "data-document-id": doc.document_id, "data-status": doc.status },
          h("td", { "data-label": "Ficheiro" }, doc.filename, doc.size ? h("span", { class: "muted" }, ` (${formatBytes(doc.size)})`) : ""),
          h("td", { "data-label": "Documento" }, slotLabels[doc.slot] || doc.slot),
          h("td", { "data-label": "Estado" }, documentStatusTag(doc.status), doc.status === "rejeitado" && doc.reason
            ? h("p", { class: "field-error" }, doc.reason) : null),
          h("td", {}, doc.status === "aceite" ? downloadButton(process.process_id, doc) : null)))))
      : h("p", {}, t("Sem documentos.")));
}

// The receipt ("comprovativo de entrega") of a submitted process: the PDF with the data and each
// document's SHA-256, issued once the documents are inspected.
function receipt(process) {
  if (!process.number) return null;
  return h("p", { id: "process-receipt" }, ...fetchedDownload("download-receipt", t("Descarregar o comprovativo de entrega (PDF)"),
    t("Descarregar o comprovativo de entrega (PDF)"), () => receiptDownload(process.process_id)));
}

function downloadButton(processId, doc) {
  return fetchedDownload(`download-${doc.document_id}`, t("Descarregar"), `${t("Descarregar")} ${doc.filename}`,
    () => documentDownload(processId, doc.document_id));
}

// The download link is short-lived and each one is recorded: ask for it only when wanted.
function fetchedDownload(id, text, label, fetchLink) {
  const message = h("span", { class: "field-error", role: "status" });
  const button = h("button", { type: "button", class: "button button--secondary button--small", id, "aria-label": label }, text);
  button.addEventListener("click", async () => {
    message.textContent = "";
    try {
      const download = await fetchLink();
      window.location.assign(download.url);
    } catch (error) {
      if (error.status !== 401) message.textContent = error.message;
    }
  });
  return [button, message];
}

function shown(value) {
  if (value === true) return "Sim";
  if (value === false) return "Não";
  return String(value);
}

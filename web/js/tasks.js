// What a process asks of its citizen after submission (chalicelib/decision/tasks.py), as the process
// page shows it: a pendência (staff ask for documents or information), the prior hearing
// ("audiência dos interessados": a proposed rejection the citizen may answer before the final
// decision) and a signature request. All three are tasks of one kind or another, each with its own
// deadline, answered once:
//
//   pendência, audiência: POST /api/requests/{id}/tasks/{task_id}/documents (one presigned POST per
//                         attachment, through the upload slot), then …/answer {text, document_ids}
//   assinatura:           POST /api/requests/{id}/tasks/{task_id}/signature {password, accept_statement}
//
// `page` = { processId, errors (the page's ErrorSummary), refresh({message, focus}) }.

import { answerTask, documentDownload, newKey, signTask, taskAttachmentSlot } from "./api.js";
import { t } from "./i18n.js";
import { h, facts, fetchedDownload, focusOn, notice } from "./dom.js";
import { deadlineWithDaysLeft, formatBytes, formatDate, formatDateTime } from "./format.js";
import { apiForm, checkboxField, textField, valueOf } from "./forms.js";
import { taskStatusTag } from "./labels.js";
import { UploadSlot } from "./upload.js";

// The responsibility statement the signer accepts (chalicelib/decision/signatures.py STATEMENT, word for word).
export const STATEMENT =
  "Declaro que li o documento que assino, que os dados que contém são verdadeiros e que assumo a " +
  "responsabilidade por esta assinatura eletrónica, com o mesmo valor da assinatura manuscrita.";

const ANSWER_FORMATS = ["pdf", "png", "jpeg"]; // chalicelib/decision/answers.py ANSWER_FORMATS
const ANSWER_MAX_BYTES = 50 * 1024 * 1024;

// Open ones first, nearest deadline first; then the closed ones, newest first.
export function sortTasks(tasks) {
  const open = tasks
    .filter((task) => task.status === "aberta")
    .sort((a, b) => (a.deadline_at || "").localeCompare(b.deadline_at || ""));
  const closed = tasks
    .filter((task) => task.status !== "aberta")
    .sort((a, b) => (b.created_at || "").localeCompare(a.created_at || ""));
  return [...open, ...closed];
}

// What the citizen is asked to do, in a few words (the link text of "Minhas pendências").
export function actionText(task) {
  if (task.kind === "assinatura") return t("Assinar o documento");
  if (task.kind === "audiencia") return t("Pronunciar-se na audiência prévia");
  return t("Responder à pendência");
}

// -- the process page's sections -------------------------------------------------------------------

// At the top of the page: what is waiting for the citizen, with a link to each.
export function openTasksNotice(process) {
  const open = sortTasks(process.pending_tasks || []).filter((task) => task.status === "aberta");
  if (!open.length) return null;
  return h(
    "div",
    { id: "open-tasks-notice" },
    notice(
      "warning",
      h(
        "p",
        {},
        h(
          "strong",
          {},
          open.length === 1
            ? t("Os serviços aguardam uma resposta sua.")
            : t("Os serviços aguardam {n} respostas suas.", { n: open.length }),
        ),
      ),
      h(
        "ul",
        {},
        open.map((task) =>
          h(
            "li",
            {},
            h(
              "a",
              { href: `#task-${task.task_id}`, onclick: (event) => jumpTo(event, `task-${task.task_id}`) },
              `${actionText(task)}: ${task.subject}`,
            ),
            ` — ${t("até")} ${deadlineWithDaysLeft(task.deadline, task.working_days_left)}`,
          ),
        ),
      ),
    ),
  );
}

// An in-page link: the hash belongs to the router, so move the focus instead of following it.
function jumpTo(event, id) {
  event.preventDefault();
  const target = document.getElementById(id);
  if (target) focusOn(target);
}

export function pendingTasksSection(process, service, page) {
  return kindSection(
    process,
    page,
    "pendencia",
    "process-tasks",
    t("Pendências"),
    t("O que os serviços lhe pediram para continuar a apreciação do pedido."),
  );
}

export function hearingSection(process, service, page) {
  return kindSection(
    process,
    page,
    "audiencia",
    "process-hearing",
    t("Audiência dos interessados"),
    t(
      "Antes de indeferir um pedido, o Município ouve o requerente: pode responder por escrito e juntar documentos dentro do prazo (Código do Procedimento Administrativo, artigos 121.º e 122.º).",
    ),
  );
}

export function signaturesSection(process, service, page) {
  return kindSection(
    process,
    page,
    "assinatura",
    "process-signatures",
    t("Assinaturas"),
    t("Documentos do processo que os serviços lhe pedem para assinar com a assinatura eletrónica do Balcão."),
  );
}

function kindSection(process, page, kind, id, title, intro) {
  if (!page) return null; // read-only views (a released process) have no tasks
  const tasks = sortTasks((process.pending_tasks || []).filter((task) => task.kind === kind));
  if (!tasks.length) return null;
  return h(
    "section",
    { id, "aria-labelledby": `${id}-title` },
    h("h2", { id: `${id}-title` }, title),
    h("p", {}, intro),
    tasks.map((task) => taskCard(process, task, page)),
  );
}

function taskCard(process, task, page) {
  const id = `task-${task.task_id}`;
  const open = task.status === "aberta";
  return h(
    "article",
    {
      class: `task task--${task.status}`,
      id,
      "data-task-id": task.task_id,
      "data-kind": task.kind,
      "data-status": task.status,
      "aria-labelledby": `${id}-title`,
    },
    h("h3", { id: `${id}-title` }, task.kind === "audiencia" ? t("Projeto de indeferimento") : task.subject),
    h("p", {}, taskStatusTag(task, { id: `${id}-status` })),
    facts([
      [t("Pedido em"), formatDateTime(task.created_at)],
      [
        open ? t("Responder até") : t("Prazo"),
        open ? deadlineWithDaysLeft(task.deadline, task.working_days_left) : formatDate(task.deadline),
        { id: `${id}-deadline`, "data-deadline": task.deadline || "" },
      ],
    ]),
    task.kind === "audiencia" ? hearingGrounds(task) : null,
    task.kind !== "audiencia" && task.description
      ? [h("h4", {}, t("O que é pedido")), h("p", { class: "pre-line", id: `${id}-description` }, task.description)]
      : null,
    task.kind === "assinatura" ? documentToSign(process, task) : null,
    open && task.kind === "assinatura" ? signatureForm(process, task, page) : null,
    open && task.kind !== "assinatura" ? answerForm(process, task, page) : null,
    task.status === "respondida" ? answered(process, task) : null,
    task.status === "expirada"
      ? notice(
          "warning",
          h(
            "p",
            { id: `${id}-expired` },
            t(
              "O prazo terminou sem resposta. O processo voltou aos serviços; se ainda precisar de responder, envie uma mensagem.",
            ),
          ),
        )
      : null,
  );
}

function hearingGrounds(task) {
  return [
    h(
      "p",
      {},
      t(
        "O Município tenciona indeferir o seu pedido pelos motivos seguintes. Antes da decisão final pode pronunciar-se: dizer porque discorda e juntar documentos.",
      ),
    ),
    h(
      "div",
      { class: "decision decision--indeferido" },
      h("h4", {}, t("Fundamentos do projeto de decisão")),
      h(
        "p",
        { class: "pre-line", id: `hearing-grounds-${task.task_id}` },
        task.proposed_grounds || task.description || "—",
      ),
    ),
  ];
}

function documentToSign(process, task) {
  const doc = (process.documents || []).find((d) => d.document_id === task.document_id);
  const name = doc ? doc.filename : t("documento a assinar");
  return h(
    "div",
    { class: "document-to-sign" },
    h("h4", {}, t("Documento a assinar")),
    h(
      "p",
      { id: `sign-document-${task.task_id}` },
      name,
      doc && doc.size ? h("span", { class: "muted" }, ` (${formatBytes(doc.size)})`) : "",
    ),
    h(
      "p",
      {},
      ...fetchedDownload(
        `download-sign-${task.task_id}`,
        t("Descarregar o documento (PDF)"),
        `${t("Descarregar o documento a assinar")} ${name}`,
        () => documentDownload(process.process_id, task.document_id),
      ),
    ),
    task.status === "aberta" ? h("p", { class: "hint" }, t("Leia o documento antes de o assinar.")) : null,
  );
}

function answered(process, task) {
  const docs = (task.answer_documents || []).map(
    (documentId) =>
      (process.documents || []).find((d) => d.document_id === documentId) || {
        document_id: documentId,
        filename: documentId,
      },
  );
  if (task.kind === "assinatura") {
    return h(
      "div",
      { class: "task__answer", id: `task-${task.task_id}-answer` },
      h("p", {}, h("strong", {}, t("Assinou este documento em {at}.", { at: formatDateTime(task.answered_at) }))),
      task.signed_document_id
        ? h(
            "p",
            {},
            ...fetchedDownload(
              `download-signed-${task.task_id}`,
              t("Descarregar o documento assinado (PDF)"),
              t("Descarregar o documento assinado (PDF)"),
              () => documentDownload(process.process_id, task.signed_document_id),
            ),
          )
        : null,
    );
  }
  return h(
    "div",
    { class: "task__answer", id: `task-${task.task_id}-answer` },
    h("h4", {}, t("A sua resposta, enviada em {at}", { at: formatDateTime(task.answered_at) })),
    task.answer_text ? h("p", { class: "pre-line", id: `task-${task.task_id}-answer-text` }, task.answer_text) : null,
    docs.length
      ? h(
          "ul",
          { class: "upload__documents", id: `task-${task.task_id}-answer-documents` },
          docs.map((doc) => h("li", { "data-document-id": doc.document_id }, doc.filename)),
        )
      : null,
  );
}

function answerForm(process, task, page) {
  const tid = task.task_id;
  const key = newKey(); // one answer per form: a second press, or a retry, answers once
  const hearing = task.kind === "audiencia";
  const slot = new UploadSlot({
    processId: process.process_id,
    slot: {
      slot: `tarefa_${tid}`,
      label: t("Documentos da resposta"),
      formats: ANSWER_FORMATS,
      max_bytes: ANSWER_MAX_BYTES,
      required: false,
    },
    // files already sent for this answer (the page was drawn again before the answer went)
    documents: (process.documents || []).filter((doc) => doc.slot === `tarefa_${tid}`),
    errors: page.errors,
    api: { requestSlot: (filename, contentType) => taskAttachmentSlot(process.process_id, tid, filename, contentType) },
  });
  const textId = `answer-text-${tid}`;
  return apiForm({
    id: `answer-form-${tid}`,
    labelledBy: `answer-form-${tid}-title`,
    children: [
      h("h4", { id: `answer-form-${tid}-title` }, hearing ? t("A sua pronúncia") : t("Responder")),
      textField({
        id: textId,
        name: "text",
        field: "text",
        multiline: true,
        label: hearing ? t("Os seus argumentos") : t("Resposta"),
        hint: hearing
          ? t("Diga porque discorda do projeto de decisão. Pode juntar documentos que o comprovem.")
          : t("Escreva a resposta ou junte os documentos pedidos (ou ambos)."),
      }),
      slot.element,
    ],
    submitId: `answer-submit-${tid}`,
    submitLabel: hearing ? t("Enviar a pronúncia") : t("Enviar resposta"),
    errors: page.errors,
    check: (form) => {
      if (slot.busy)
        return [{ input: slot.input, message: t("Espere que o documento acabe de ser enviado e verificado.") }];
      const text = valueOf(form, textId);
      if (!text && !slot.acceptedIds.length) {
        return [
          {
            input: form.querySelector(`#${textId}`),
            message: t("Escreva a sua resposta ou junte pelo menos um documento."),
          },
        ];
      }
      return [];
    },
    send: (form) => answerTask(process.process_id, tid, valueOf(form, textId), slot.acceptedIds, key),
    done: () =>
      page.refresh({
        message: hearing
          ? t("A sua pronúncia foi entregue. O processo voltou aos serviços.")
          : t("A resposta foi enviada. O processo voltou aos serviços."),
        focus: `task-${tid}`,
      }),
  });
}

function signatureForm(process, task, page) {
  const tid = task.task_id;
  const key = newKey();
  const passwordId = `sign-password-${tid}`;
  const acceptId = `sign-accept-${tid}`;
  return apiForm({
    id: `sign-form-${tid}`,
    labelledBy: `sign-form-${tid}-title`,
    children: [
      h("h4", { id: `sign-form-${tid}-title` }, t("Assinar")),
      textField({
        id: passwordId,
        name: "password",
        type: "password",
        field: "password",
        autocomplete: "current-password",
        label: t("Palavra-passe"),
        hint: t("Para assinar, escreva de novo a palavra-passe com que entra no Balcão."),
        inputClass: "input--medium",
      }),
      checkboxField({
        id: acceptId,
        field: "accept_statement",
        label: t("Aceito a declaração de responsabilidade"),
        hint: t(STATEMENT),
      }),
    ],
    submitId: `sign-submit-${tid}`,
    submitLabel: t("Assinar o documento"),
    busyLabel: t("A assinar…"),
    errors: page.errors,
    check: (form) => {
      const problems = [];
      if (!valueOf(form, passwordId, { trim: false })) {
        problems.push({ input: form.querySelector(`#${passwordId}`), message: t("Escreva a sua palavra-passe.") });
      }
      if (!form.querySelector(`#${acceptId}`).checked) {
        problems.push({
          input: form.querySelector(`#${acceptId}`),
          message: t("Para assinar, aceite a declaração de responsabilidade."),
        });
      }
      return problems;
    },
    send: (form) =>
      signTask(
        process.process_id,
        tid,
        valueOf(form, passwordId, { trim: false }),
        form.querySelector(`#${acceptId}`).checked,
        key,
      ),
    done: () =>
      page.refresh({ message: t("Documento assinado. O processo voltou aos serviços."), focus: `task-${tid}` }),
  });
}

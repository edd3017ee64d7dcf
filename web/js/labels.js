// The labels of what the API sends as codes: a process's status, a document's, a task's kind and status,
// an organ. Written in pt-PT and shown through t() (their English is in i18n-en.js); an unknown code
// is shown as it is. tests/web/test_labels.py checks that they cover every status and task kind the
// server's vocabulary (chalicelib/kernel/vocabulary.py) holds, in both languages.

import { t } from "./i18n.js";
import { h } from "./dom.js";

export const STATUS_LABELS = {
  rascunho: "Rascunho",
  submetido: "Submetido",
  a_aguardar_pagamento: "A aguardar pagamento",
  em_apreciacao: "Em apreciação",
  deferido: "Deferido",
  indeferido: "Indeferido",
  documentos_rejeitados: "Documentos recusados",
  pendente: "Aguarda resposta sua",
  em_audiencia: "Em audiência prévia",
  a_aguardar_assinatura: "Aguarda a sua assinatura",
  requer_atencao: "Requer atenção dos serviços",
};

export const DOCUMENT_STATUS_LABELS = {
  a_aguardar: "Em verificação",
  aceite: "Aceite",
  rejeitado: "Recusado",
};

export const ORGAN_LABELS = {
  CAMARA: "Câmara Municipal",
};

export const statusLabel = (status) => (STATUS_LABELS[status] ? t(STATUS_LABELS[status]) : status || "—");
export const organLabel = (organ) => (ORGAN_LABELS[organ] ? t(ORGAN_LABELS[organ]) : organ || "—");

export function statusTag(status, attrs = {}) {
  return h("span", { class: `status status--${status}`, "data-status": status, ...attrs }, statusLabel(status));
}

export function documentStatusTag(status, attrs = {}) {
  return h(
    "span",
    { class: `status status--${status}`, "data-status": status, ...attrs },
    DOCUMENT_STATUS_LABELS[status] ? t(DOCUMENT_STATUS_LABELS[status]) : status,
  );
}

// -- tasks: a pendência, the prior hearing, a signature request
export const KIND_LABELS = { pendencia: "Pendência", audiencia: "Audiência prévia", assinatura: "Assinatura" };
export const TASK_STATUS_LABELS = { aberta: "Por responder", respondida: "Respondida", expirada: "Prazo terminado" };

export const kindLabel = (kind) => (KIND_LABELS[kind] ? t(KIND_LABELS[kind]) : kind);

export function taskStatusTag(task, attrs = {}) {
  const status = task.status === "respondida" && task.kind === "assinatura" ? "assinada" : task.status;
  const label = status === "assinada" ? t("Assinado") : t(TASK_STATUS_LABELS[task.status] || task.status);
  return h("span", { class: `status status--tarefa-${status}`, "data-status": task.status, ...attrs }, label);
}

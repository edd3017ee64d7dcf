// Messages between the citizen and the municipality's services (chalicelib/messages/threads.py): about one
// process (GET/POST /api/requests/{id}/messages, an optional attachment uploaded first through
// …/messages/attachments) or in general to an organ (GET/POST /api/messages/{organ}, on the
// "Mensagens" page). Each new message is emailed to the other side.

import { documentDownload, messageAttachmentSlot, newKey, processMessages, sendProcessMessage } from "./api.js";
import { t } from "./i18n.js";
import { h, fetchedDownload, notice } from "./dom.js";
import { formatDateTime } from "./format.js";
import { apiForm, textField, valueOf } from "./forms.js";
import { UploadSlot } from "./upload.js";

const ATTACHMENT_FORMATS = ["pdf", "png", "jpeg"]; // chalicelib/messages/threads.py attachment_slot
const ATTACHMENT_MAX_BYTES = 50 * 1024 * 1024;

// The thread, oldest first. `documents`: the process's, to name and download attachments.
export function messageList(messages, { id, processId = null, documents = [] } = {}) {
  if (!messages.length) return h("p", { id: `${id}-empty`, class: "muted" }, t("Ainda não há mensagens."));
  const sorted = [...messages].sort((a, b) => (a.at || "").localeCompare(b.at || ""));
  return h(
    "ol",
    { class: "messages", id },
    sorted.map((message) => {
      const fromStaff = message.from === "servicos";
      const author = fromStaff
        ? `${t("Serviços municipais")}${message.author_name ? ` (${message.author_name})` : ""}`
        : message.author_name || t("Requerente");
      return h(
        "li",
        {
          class: `message message--${fromStaff ? "servicos" : "requerente"}`,
          "data-message-id": message.message_id,
          "data-from": message.from,
        },
        h(
          "p",
          { class: "message__meta" },
          h("strong", {}, author),
          " · ",
          h("time", { datetime: message.at }, formatDateTime(message.at)),
        ),
        h("p", { class: "pre-line message__text" }, message.text),
        (message.attachments || []).length && processId
          ? h(
              "ul",
              { class: "message__attachments" },
              message.attachments.map((documentId) => {
                const doc = documents.find((d) => d.document_id === documentId);
                const name = doc ? doc.filename : t("Anexo");
                return h(
                  "li",
                  {},
                  `${name} `,
                  ...fetchedDownload(
                    `download-attachment-${documentId}`,
                    t("Descarregar"),
                    `${t("Descarregar")} ${name}`,
                    () => documentDownload(processId, documentId),
                  ),
                );
              }),
            )
          : null,
      );
    }),
  );
}

// The process page's section: the thread and a form to write (with an optional attachment).
export function processMessagesSection(process, service, page) {
  if (!page || !process.number) return null; // drafts and read-only views have no messages here
  const listArea = h(
    "div",
    { id: "process-messages-thread", "aria-live": "polite" },
    h("p", { class: "muted" }, t("A carregar…")),
  );
  const section = h(
    "section",
    { id: "process-messages", "aria-labelledby": "process-messages-title" },
    h("h2", { id: "process-messages-title" }, t("Mensagens")),
    h("p", {}, t("Escreva aos serviços sobre este processo. A resposta chega por email e fica aqui.")),
    listArea,
  );

  const load = async () => {
    try {
      const { messages } = await processMessages(process.process_id);
      listArea.replaceChildren(
        messageList(messages, {
          id: "messages-list",
          processId: process.process_id,
          documents: process.documents || [],
        }),
      );
    } catch (error) {
      if (error.status !== 401) listArea.replaceChildren(notice("error", h("p", {}, error.message)));
    }
  };
  load();
  section.append(messageForm(process, page));
  return section;
}

function messageForm(process, page) {
  const key = newKey(); // the page is drawn again once it is sent, with a new form and key
  const slot = newSlot(process, page);
  return apiForm({
    id: "message-form",
    labelledBy: "message-form-title",
    children: [
      h("h3", { id: "message-form-title" }, t("Nova mensagem")),
      textField({ id: "message-text", name: "text", field: "text", multiline: true, label: t("Mensagem") }),
      slot.element,
    ],
    submitId: "message-submit",
    submitLabel: t("Enviar mensagem"),
    errors: page.errors,
    check: (form) => {
      if (slot.busy)
        return [{ input: slot.input, message: t("Espere que o anexo acabe de ser enviado e verificado.") }];
      if (!valueOf(form, "message-text"))
        return [{ input: form.querySelector("#message-text"), message: t("Escreva a mensagem.") }];
      return [];
    },
    send: (form) => sendProcessMessage(process.process_id, valueOf(form, "message-text"), slot.acceptedIds, key),
    // drawn again: the process's documents then name the new attachment
    done: () => page.refresh({ message: t("Mensagem enviada."), focus: "process-messages-title" }),
  });
}

function newSlot(process, page) {
  return new UploadSlot({
    processId: process.process_id,
    slot: {
      slot: "mensagem",
      label: t("Anexo"),
      formats: ATTACHMENT_FORMATS,
      max_bytes: ATTACHMENT_MAX_BYTES,
      required: false,
    },
    errors: page.errors,
    api: { requestSlot: (filename, contentType) => messageAttachmentSlot(process.process_id, filename, contentType) },
  });
}

// One document slot of a request: choose a file, get a presigned POST from the API, send the bytes
// straight to S3 with a progress bar (retrying on failure), then wait for the inspection's verdict.
//
//   POST /api/requests/{process_id}/documents {slot, filename, content_type} → {document_id, upload}
//   POST upload.url (multipart: upload.fields…, then file)                   → S3
//   GET  /api/requests/{process_id}/documents/{document_id}                  → status a_aguardar | aceite | rejeitado
//
// The same slot serves a registration's proof of address: pass `api` = {requestSlot, getDocument}
// (POST /api/registration/documents, and the proof's status from GET /api/registration).

import { ApiError, getDocument, requestUploadSlot, uploadToS3 } from "./api.js";
import { t } from "./i18n.js";
import { h } from "./dom.js";
import { formatBytes } from "./format.js";
import { documentStatusTag } from "./labels.js";

// The content types the API accepts for each format (chalicelib/documents/store.py CONTENT_TYPES).
const CONTENT_TYPES = {
  pdf: "application/pdf",
  png: "image/png",
  jpeg: "image/jpeg",
  dwg: "image/vnd.dwg",
  dxf: "image/vnd.dxf",
  dwfx: "model/vnd.dwfx+xps",
};
const EXTENSIONS = { pdf: ["pdf"], png: ["png"], jpeg: ["jpg", "jpeg"], dwg: ["dwg"], dxf: ["dxf"], dwfx: ["dwfx"] };
const FORMAT_NAMES = { pdf: "PDF", dwfx: "DWFx", dwg: "DWG", dxf: "DXF", jpeg: "JPEG", png: "PNG" };

const AUTO_RETRIES = 3; // attempts per file before asking the user
const POLL_LIMIT_MS = 120_000; // how long to wait for the inspection before offering "Verificar novamente"

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export function formatOf(filename, formats) {
  const extension = (filename.split(".").pop() || "").toLowerCase();
  return formats.find((format) => (EXTENSIONS[format] || [format]).includes(extension)) || null;
}

export class UploadSlot {
  // slot: the service's DocumentSlot; documents: this slot's documents already on the draft;
  // api: where the slot asks for its presigned POST and reads a document, where not the request's own.
  constructor({ processId, slot, documents = [], errors, onChange, api = {} }) {
    this.processId = processId;
    this.api = {
      requestSlot: (filename, contentType) => requestUploadSlot(processId, slot.slot, filename, contentType),
      getDocument: (documentId) => getDocument(processId, documentId),
      ...api,
    };
    this.slot = slot;
    this.errors = errors;
    this.onChange = onChange || (() => {});
    this.documents = documents;
    this.pending = null; // {file, documentId, upload, expiresAt}
    this.state = "empty"; // empty | uploading | verifying | accepted | rejected | failed | slow
    this.build();
    this.restore();
  }

  get accepted() {
    return this.acceptedIds.length > 0;
  }

  // The documents of this slot that passed inspection, to send with a form.
  get acceptedIds() {
    return this.documents.filter((doc) => doc.status === "aceite").map((doc) => doc.document_id);
  }

  get busy() {
    return this.state === "uploading" || this.state === "verifying";
  }

  build() {
    const { slot } = this;
    const id = slot.slot;
    const formatNames = slot.formats.map((f) => FORMAT_NAMES[f] || f.toUpperCase()).join(", ");
    const accept = slot.formats
      .flatMap((f) => [...(EXTENSIONS[f] || [f]).map((e) => `.${e}`), CONTENT_TYPES[f]])
      .join(",");
    this.input = h("input", {
      type: "file",
      id: `file-${id}`,
      name: id,
      accept,
      "data-field": `documents.${id}`,
      "aria-describedby": `file-${id}-hint`,
      "data-testid": `file-${id}`,
    });
    this.uploadButton = h(
      "button",
      {
        type: "button",
        class: "button button--secondary",
        id: `upload-button-${id}`,
        "data-testid": `upload-button-${id}`,
        onclick: () => this.start(),
      },
      t("Enviar documento"),
    );
    this.retryButton = h(
      "button",
      { type: "button", class: "button", id: `retry-${id}`, hidden: true, onclick: () => this.start() },
      t("Tentar novamente"),
    );
    this.checkButton = h(
      "button",
      {
        type: "button",
        class: "button button--secondary",
        id: `check-${id}`,
        hidden: true,
        onclick: () => this.poll(),
      },
      t("Verificar novamente"),
    );
    // Once a file is accepted the chooser is folded away (the API has no way to remove a document);
    // this reopens it to add another file to the same slot.
    this.changeButton = h(
      "button",
      {
        type: "button",
        class: "link-button",
        id: `add-another-${id}`,
        hidden: true,
        onclick: () => {
          this.element.classList.remove("upload--done");
          this.changeButton.hidden = true;
          this.input.focus();
        },
      },
      t("Juntar outro ficheiro a este documento"),
    );
    this.progress = h("progress", {
      id: `progress-${id}`,
      max: "100",
      value: "0",
      "aria-labelledby": `progress-${id}-label`,
      "data-testid": `progress-${id}`,
    });
    this.progressText = h("span", { class: "hint", id: `progress-${id}-text` });
    this.progressWrap = h(
      "div",
      { class: "progress", hidden: true },
      h("span", { class: "label", id: `progress-${id}-label` }, t("Progresso do envio")),
      this.progress,
      this.progressText,
    );
    this.status = h("p", {
      class: "upload__status",
      id: `upload-status-${id}`,
      role: "status",
      "aria-live": "polite",
      "data-testid": `upload-status-${id}`,
    });
    this.list = h("ul", { class: "upload__documents", id: `documents-${id}` });

    this.element = h(
      "section",
      { class: "upload", id: `upload-${id}`, "data-testid": `upload-${id}`, "aria-labelledby": `file-${id}-label` },
      h(
        "div",
        { class: "form-group" },
        h(
          "label",
          { for: `file-${id}`, id: `file-${id}-label`, class: "label--large" },
          slot.label,
          " ",
          h("span", { class: "tag" }, slot.required ? t("obrigatório") : t("opcional")),
        ),
        h(
          "span",
          { class: "hint", id: `file-${id}-hint` },
          t("Formato {formats}, até {size}. Escolha o ficheiro e carregue em «Enviar documento».", {
            formats: formatNames,
            size: formatBytes(slot.max_bytes),
          }),
        ),
        this.input,
      ),
      h("div", { class: "button-row" }, this.uploadButton, this.retryButton, this.checkButton),
      this.progressWrap,
      this.status,
      this.list,
      this.changeButton,
    );
    this.input.addEventListener("change", () => {
      if (this.state === "failed") this.setState("empty"); // a new file: start afresh
      this.pending = this.pending && this.pending.file === this.input.files[0] ? this.pending : null;
      this.retryButton.hidden = true;
    });
  }

  // A draft reopened: show what is already there, and keep waiting for a file still being checked.
  restore() {
    this.renderList();
    const accepted = this.documents.find((doc) => doc.status === "aceite");
    const latest = this.documents[this.documents.length - 1];
    if (accepted) {
      this.setState("accepted", t("Documento aceite: {name}.", { name: accepted.filename }));
    } else if (latest && latest.status === "rejeitado") {
      this.setState(
        "rejected",
        t("O ficheiro {name} foi recusado: {reason} Escolha outro ficheiro e envie-o.", {
          name: latest.filename,
          reason: latest.reason || t("motivo não indicado."),
        }),
      );
    } else if (latest && latest.status === "a_aguardar") {
      this.pending = { file: null, documentId: latest.document_id };
      this.poll({ limitMs: 8_000, quietTimeout: true });
    }
  }

  renderList() {
    this.list.replaceChildren(
      ...this.documents.map((doc) =>
        h(
          "li",
          { "data-document-id": doc.document_id },
          `${doc.filename}${doc.size ? ` (${formatBytes(doc.size)})` : ""} `,
          documentStatusTag(doc.status),
          doc.status === "rejeitado" && doc.reason ? ` ${doc.reason}` : "",
        ),
      ),
    );
    this.list.hidden = this.documents.length === 0;
  }

  setState(state, message) {
    this.state = state;
    this.element.dataset.state = state;
    if (message !== undefined) this.status.textContent = message;
    this.status.className =
      "upload__status" +
      (state === "accepted" ? " upload__status--ok" : "") +
      (state === "rejected" || state === "failed" ? " upload__status--error" : "");
    const busy = this.busy;
    for (const button of [this.uploadButton, this.retryButton, this.checkButton]) {
      if (busy) button.setAttribute("aria-disabled", "true");
      else button.removeAttribute("aria-disabled");
    }
    this.input.disabled = busy;
    this.retryButton.hidden = state !== "failed";
    this.uploadButton.hidden = state === "failed"; // «Tentar novamente» does the same, with the same file
    this.element.classList.toggle("upload--done", state === "accepted");
    this.changeButton.hidden = state !== "accepted";
    this.checkButton.hidden = state !== "slow";
    this.onChange(this);
  }

  validate(file) {
    const { slot } = this;
    if (!file) return t("Escolha o ficheiro a enviar.");
    if (!formatOf(file.name, slot.formats)) {
      return t("O ficheiro tem de estar em formato {formats}.", {
        formats: slot.formats.map((f) => FORMAT_NAMES[f] || f).join(` ${t("ou")} `),
      });
    }
    if (file.size === 0) return t("O ficheiro está vazio.");
    if (file.size > slot.max_bytes)
      return t("O ficheiro tem {size}; o máximo é {max}.", {
        size: formatBytes(file.size),
        max: formatBytes(slot.max_bytes),
      });
    return null;
  }

  async start() {
    if (this.busy) return;
    const file = this.input.files[0] || (this.pending && this.pending.file);
    const problem = this.validate(file);
    if (problem) {
      this.errors.show([{ input: this.input, message: problem }]);
      return;
    }
    this.errors.clear();
    this.setState("uploading", t("A enviar {name}…", { name: file.name }));
    this.showProgress(0, file.size);
    try {
      await this.send(file);
    } catch (error) {
      if (!this.element.isConnected) return;
      this.progressWrap.hidden = true;
      if (error instanceof ApiError && error.status === 401) return; // the app shows the login
      const message = error instanceof ApiError ? error.message : t("O envio do ficheiro falhou.");
      this.setState("failed", `${message} ${t("O ficheiro não foi recebido. Carregue em «Tentar novamente».")}`);
      this.errors.show([{ input: this.input, message }], { focus: false });
      return;
    }
    this.progressWrap.hidden = true;
    this.input.value = "";
    await this.poll();
  }

  // Ask for a signed form (once per file, again only when it has expired), then send with retries.
  async send(file) {
    let renewed = false;
    for (let attempt = 1; ; attempt += 1) {
      if (!this.pending || this.pending.file !== file || Date.now() > this.pending.expiresAt) {
        const contentType = CONTENT_TYPES[formatOf(file.name, this.slot.formats)];
        let answer;
        try {
          answer = await this.api.requestSlot(file.name, contentType);
        } catch (error) {
          // the API's field names (content_type, filename, slot) all concern this file input
          if (error instanceof ApiError && error.status >= 400 && error.status < 500) throw error;
          if (attempt >= AUTO_RETRIES) throw error;
          await this.waitBeforeRetry(attempt);
          continue;
        }
        this.pending = {
          file,
          documentId: answer.document_id,
          upload: answer.upload,
          // renew a little before the signature expires
          expiresAt: Date.now() + Math.max(30, (answer.expires_in || 900) - 30) * 1000,
        };
        this.documents = this.documents.filter((doc) => doc.document_id !== answer.document_id);
      }
      this.status.textContent =
        attempt > 1
          ? t("A enviar {name} (tentativa {attempt} de {attempts})…", {
              name: file.name,
              attempt,
              attempts: AUTO_RETRIES,
            })
          : t("A enviar {name}…", { name: file.name });
      try {
        await uploadToS3(this.pending.upload, file, (loaded, total) => this.showProgress(loaded, total));
        return;
      } catch (error) {
        if (!this.element.isConnected) throw error;
        if (error.code === "demasiado_grande") throw error;
        if (error.code === "autorizacao_expirada" && !renewed) {
          renewed = true;
          this.pending = null; // a fresh signed form, then try again at once
          continue;
        }
        if (attempt >= AUTO_RETRIES) throw error;
        await this.waitBeforeRetry(attempt);
      }
    }
  }

  async waitBeforeRetry(attempt) {
    const seconds = 2 ** attempt; // 2, 4 s
    this.status.textContent = t(
      "A ligação falhou. Nova tentativa dentro de {seconds} segundos (tentativa {attempt} de {attempts})…",
      { seconds, attempt: attempt + 1, attempts: AUTO_RETRIES },
    );
    this.showProgress(0, 1);
    await sleep(seconds * 1000);
  }

  showProgress(loaded, total) {
    this.progressWrap.hidden = false;
    const percent = total ? Math.min(100, Math.round((loaded / total) * 100)) : 0;
    this.progress.value = percent;
    this.progress.textContent = `${percent}%`;
    this.progressText.textContent = `${percent}% — ${formatBytes(loaded)} de ${formatBytes(total)}`;
  }

  // Wait for the inspection: aceite or rejeitado (with the reason).
  async poll({ limitMs = POLL_LIMIT_MS, quietTimeout = false } = {}) {
    if (!this.pending) return;
    const { documentId } = this.pending;
    this.setState("verifying", t("Ficheiro recebido. A verificar o documento…"));
    const started = Date.now();
    let delay = 800;
    while (this.element.isConnected) {
      let doc;
      try {
        doc = await this.api.getDocument(documentId);
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) return;
        doc = null; // a passing failure: ask again
      }
      if (doc && doc.status !== "a_aguardar") {
        this.documents = [...this.documents.filter((d) => d.document_id !== doc.document_id), doc];
        this.renderList();
        this.pending = null;
        if (doc.status === "aceite") {
          this.errors.clear();
          this.setState(
            "accepted",
            t("Documento aceite: {name}.", { name: `${doc.filename}${doc.size ? ` (${formatBytes(doc.size)})` : ""}` }),
          );
        } else {
          const reason = doc.reason || t("motivo não indicado.");
          this.setState(
            "rejected",
            t("O ficheiro {name} foi recusado. Escolha outro ficheiro e envie-o.", { name: doc.filename }),
          );
          this.errors.show([{ input: this.input, message: t("O documento foi recusado: {reason}", { reason }) }], {
            focus: false,
          });
        }
        return;
      }
      if (Date.now() - started > limitMs) {
        if (quietTimeout) {
          // a slot issued earlier whose file may never have been sent
          this.pending = null;
          this.setState("empty", t("Ainda não recebemos um ficheiro para este documento. Escolha-o e envie-o."));
        } else {
          this.setState(
            "slow",
            t(
              "A verificação está a demorar mais do que o habitual. Carregue em «Verificar novamente» dentro de momentos.",
            ),
          );
        }
        return;
      }
      await sleep(delay);
      delay = Math.min(delay * 1.5, 4000);
    }
  }
}

// "Who saw my data": every reading by the municipality's staff of the citizen's processes, documents,
// messages, notifications or registration — when, which role of which organ, what (GET
// /api/account/data-access, GET /api/requests/{id}/data-access). The staff member's name and address
// stay in the audit trail, for the auditors.
import { t } from "./i18n.js";
import { h } from "./dom.js";
import { formatDateTime } from "./format.js";
import { organLabel } from "./labels.js";

// A section filled once `load()` answers; `withProcess`: a column naming each process (the account's list).
export function dataAccessSection(load, { id, withProcess = false }) {
  const titleId = `${id}-title`;
  const content = h("div", { id: `${id}-content` }, h("p", {}, t("A carregar…")));
  load().then(
    (answer) => content.replaceChildren(readsTable(answer.reads, id, withProcess)),
    (error) => content.replaceChildren(h("p", {}, error.message)),
  );
  return h(
    "section",
    { class: "section-block", id, "aria-labelledby": titleId },
    h("h2", { id: titleId }, t("Quem consultou os seus dados")),
    h(
      "p",
      {},
      t(
        "Cada consulta dos seus dados pelos serviços municipais fica registada: quando, por que função e de que serviço, e o quê.",
      ),
    ),
    content,
  );
}

function readsTable(reads, id, withProcess) {
  if (!reads.length) return h("p", { id: `${id}-none` }, t("Nenhum funcionário consultou ainda os seus dados."));
  const columns = [t("Quando"), t("Quem"), t("O quê"), ...(withProcess ? [t("Processo")] : [])];
  return h(
    "table",
    { class: "table table--stack", id: `${id}-table` },
    h("caption", { class: "visually-hidden" }, t("Quem consultou os seus dados")),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        columns.map((label) => h("th", { scope: "col" }, label)),
      ),
    ),
    h(
      "tbody",
      {},
      reads.map((read) =>
        h(
          "tr",
          { "data-what": read.what },
          h("td", { "data-label": columns[0], class: "nowrap" }, formatDateTime(read.at)),
          h(
            "td",
            { "data-label": columns[1] },
            read.organ ? `${t(read.role_label)} — ${organLabel(read.organ)}` : t(read.role_label),
          ),
          h("td", { "data-label": columns[2] }, t(read.what_label), read.filename ? `: ${read.filename}` : ""),
          ...(withProcess ? [h("td", { "data-label": columns[3], class: "nowrap" }, read.number || "—")] : []),
        ),
      ),
    ),
  );
}

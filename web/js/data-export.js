// Access and portability: a download of everything the municipality holds about the person (POST
// /api/account/exports, built in the background; GET /api/account/exports follows it; a ready one is
// downloaded through a link valid a few minutes: GET /api/account/exports/{id}/download).
import { exportDownload, myExports, requestExport } from "./api.js";
import { t } from "./i18n.js";
import { h, fetchedDownload, notice } from "./dom.js";
import { formatBytes, formatDateTime } from "./format.js";
import { apiForm } from "./forms.js";

const POLL_MS = 2000;
const POLL_LIMIT = 60;
const STATUS_WORDS = { a_preparar: "A preparar…", pronto: "Pronta", falhou: "Falhou: peça outra" };

export function dataExportSection(errors, ctx) {
  const status = h("div", { role: "status", id: "export-status" });
  const list = h("div", { id: "export-list" });
  const draw = (exports) => list.replaceChildren(exportsTable(exports));
  const follow = async () => {
    for (let i = 0; i < POLL_LIMIT; i += 1) {
      const { exports } = await myExports();
      if (!ctx.isCurrent()) return;
      draw(exports);
      if (!exports.some((e) => e.status === "a_preparar")) {
        if (exports[0] && exports[0].status === "pronto")
          status.replaceChildren(notice("success", h("p", {}, t("A exportação dos seus dados está pronta."))));
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  };
  myExports().then(({ exports }) => {
    draw(exports);
    if (exports.some((e) => e.status === "a_preparar")) follow();
  });
  const form = apiForm({
    id: "export-form",
    submitId: "export-submit",
    submitLabel: t("Pedir os meus dados"),
    errors,
    labelledBy: "export-title",
    children: [],
    send: () => requestExport(),
    done: () => {
      status.replaceChildren(
        notice(
          "info",
          h("p", {}, t("Estamos a reunir os seus dados. A transferência aparece aqui quando estiver pronta.")),
        ),
      );
      follow();
    },
  });
  return h(
    "section",
    { class: "section-block", id: "data-export", "aria-labelledby": "export-title" },
    h("h2", { id: "export-title" }, t("Descarregar os meus dados")),
    h(
      "p",
      {},
      t(
        "Um ficheiro zip com tudo o que o Município guarda sobre si: a conta, os processos com os seus dados, histórico, documentos e mensagens, as notificações enviadas, os consentimentos, os registos de auditoria e quem consultou os seus dados. Fica disponível durante 7 dias.",
      ),
    ),
    form,
    status,
    list,
  );
}

function exportsTable(exports) {
  if (!exports.length) return h("p", { id: "export-none" }, t("Ainda não pediu nenhuma exportação."));
  const columns = [t("Pedida em"), t("Estado"), t("Tamanho"), ""];
  return h(
    "table",
    { class: "table table--stack", id: "export-table" },
    h("caption", { class: "visually-hidden" }, t("As suas exportações")),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        columns.map((label) => h("th", { scope: "col" }, label || h("span", { class: "visually-hidden" }, t("Ações")))),
      ),
    ),
    h(
      "tbody",
      {},
      exports.map((e) =>
        h(
          "tr",
          { "data-status": e.status, "data-export-id": e.export_id },
          h("td", { "data-label": columns[0], class: "nowrap" }, formatDateTime(e.requested_at)),
          h("td", { "data-label": columns[1] }, t(STATUS_WORDS[e.status] || e.status)),
          h("td", { "data-label": columns[2], class: "nowrap" }, e.size_bytes ? formatBytes(e.size_bytes) : "—"),
          h(
            "td",
            { "data-label": t("Ações") },
            e.status === "pronto"
              ? fetchedDownload(
                  `export-download-${e.export_id}`,
                  t("Descarregar"),
                  `${t("Descarregar")} ${t("os meus dados")} (${formatDateTime(e.requested_at)})`,
                  () => exportDownload(e.export_id),
                )
              : "",
          ),
        ),
      ),
    ),
  );
}

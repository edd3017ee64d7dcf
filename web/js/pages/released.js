// "Processos liberados": the processes someone else's, that the services gave me view of ("vista",
// GET /api/released-processes), and each one read-only (GET /api/released-processes/{id}): its data,
// documents, decision and timeline, nothing to answer.
import { releasedProcess, releasedProcesses } from "../api.js";
import { t } from "../i18n.js";
import { h } from "../dom.js";
import { formatDate, formatDateTime } from "../format.js";
import { organLabel } from "../labels.js";
import { renderProcess } from "./process.js";

export async function render(ctx) {
  if (ctx.params[0]) return renderOne(ctx, ctx.params[0]);
  const { container } = ctx;
  ctx.setTitle(t("Processos liberados"));
  container.append(
    h("h1", {}, t("Processos liberados")),
    h(
      "p",
      {},
      t(
        "Processos de outras pessoas ou empresas que os serviços lhe deram autorização para consultar (vista do processo). Pode ver os dados, os documentos, a decisão e o histórico; não pode responder nem enviar mensagens sobre eles.",
      ),
    ),
  );
  const { processes } = await releasedProcesses();
  if (!ctx.isCurrent()) return;
  if (!processes.length) {
    container.append(
      h("p", { id: "no-released" }, t("Não tem processos liberados para consulta.")),
      h(
        "p",
        {},
        t("Para consultar o processo de outra pessoa ou empresa, peça vista:"),
        " ",
        h("a", { href: "#/servicos/vista-processo", id: "ask-view-link" }, t("Pedido de vista de processo")),
        ".",
      ),
    );
    return;
  }
  const columns = [t("Processo"), t("Entidade"), t("Liberado em"), t("Pode consultar até")];
  container.append(
    h(
      "table",
      { class: "table table--stack", id: "released-table" },
      h("caption", { class: "visually-hidden" }, t("Processos liberados")),
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
        processes.map((grant) =>
          h(
            "tr",
            { "data-process-id": grant.process_id, "data-number": grant.number || "" },
            h(
              "th",
              { scope: "row", "data-label": columns[0] },
              h(
                "a",
                {
                  href: `#/processos-liberados/${encodeURIComponent(grant.process_id)}`,
                  id: `released-link-${grant.process_id}`,
                },
                grant.number,
              ),
            ),
            h("td", { "data-label": columns[1] }, organLabel(grant.organ)),
            h("td", { "data-label": columns[2] }, formatDateTime(grant.granted_at)),
            h("td", { "data-label": columns[3] }, grant.until ? formatDate(grant.until) : t("sem data final")),
          ),
        ),
      ),
    ),
  );
}

function renderOne(ctx, processId) {
  return renderProcess(ctx, {
    processId,
    load: releasedProcess,
    readOnly: true,
    crumbs: [[t("Processos liberados"), "#/processos-liberados"]],
    back: ["#/processos-liberados", t("Voltar aos processos liberados")],
    lead: h(
      "p",
      { class: "notice", id: "released-notice" },
      t("Consulta autorizada pelos serviços (vista do processo): só de leitura."),
    ),
  });
}

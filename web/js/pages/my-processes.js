// "Os meus processos": GET /api/requests (newest first), with status and decision deadline.
import { listServices, myRequests } from "../api.js";
import { t } from "../i18n.js";
import { h } from "../dom.js";
import { formatDate } from "../format.js";
import { statusTag } from "../labels.js";

export async function render(ctx) {
  const { container } = ctx;
  ctx.setTitle(t("Os meus processos"));
  container.append(
    h("h1", {}, t("Os meus processos")),
    h(
      "p",
      {},
      t(
        "Os pedidos que apresentou, do mais recente para o mais antigo. Escolha um para ver o estado, os documentos e a decisão.",
      ),
    ),
  );
  const [{ processes }, catalogue] = await Promise.all([
    myRequests(),
    listServices().catch(() => ({ services: [] })), // titles only: the list still works without them
  ]);
  if (!ctx.isCurrent()) return;
  const titles = Object.fromEntries(catalogue.services.map((s) => [s.id, s.title]));
  const elsewhere = h(
    "ul",
    { class: "link-list", id: "my-processes-links" },
    h(
      "li",
      {},
      h(
        "a",
        { href: "#/pendencias", id: "pending-tasks-link" },
        t("Minhas pendências: o que os serviços aguardam de si"),
      ),
    ),
    h(
      "li",
      {},
      h(
        "a",
        { href: "#/processos-liberados", id: "released-link" },
        t("Processos liberados: processos de outros que pode consultar"),
      ),
    ),
  );

  if (!processes.length) {
    container.append(
      h("p", { id: "no-processes" }, t("Ainda não apresentou nenhum pedido.")),
      h("div", { class: "button-row" }, h("a", { class: "button", href: "#/" }, t("Ver os serviços disponíveis"))),
      elsewhere,
    );
    return;
  }

  const columns = [t("Processo"), t("Serviço"), t("Estado"), t("Prazo de decisão"), t("Submetido em")];
  const rows = processes.map((p) => {
    const draft = p.status === "rascunho";
    const href = draft
      ? `#/rascunhos/${encodeURIComponent(p.process_id)}`
      : `#/processos/${encodeURIComponent(p.process_id)}`;
    const title = titles[p.service_id] || p.service_id;
    return h(
      "tr",
      { "data-process-id": p.process_id, "data-number": p.number || "" },
      h(
        "th",
        { scope: "row", "data-label": columns[0] },
        h(
          "a",
          { href, id: `process-link-${p.process_id}` },
          draft ? t("Rascunho de {date}", { date: formatDate(p.created_at) }) : p.number,
          h("span", { class: "visually-hidden" }, draft ? ` (${title}): ${t("continuar o pedido")}` : ` (${title})`),
        ),
      ),
      h("td", { "data-label": columns[1] }, title),
      h("td", { "data-label": columns[2] }, statusTag(p.status)),
      h("td", { "data-label": columns[3] }, p.decision_deadline ? formatDate(p.decision_deadline) : "—"),
      h("td", { "data-label": columns[4] }, p.submitted_at ? formatDate(p.submitted_at) : "—"),
    );
  });
  container.append(
    h(
      "table",
      { class: "table table--stack", id: "processes-table", "data-testid": "processes-table" },
      h("caption", { class: "visually-hidden" }, t("Os meus processos")),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          columns.map((label) => h("th", { scope: "col" }, label)),
        ),
      ),
      h("tbody", {}, rows),
    ),
    h(
      "div",
      { class: "button-row" },
      h("a", { class: "button button--secondary", href: "#/" }, t("Apresentar um novo pedido")),
    ),
    elsewhere,
  );
}

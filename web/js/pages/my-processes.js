// "Os meus processos": GET /api/requests (newest first), with status and decision deadline.
import { listServices, myRequests } from "../api.js";
import { h, formatDate, statusTag } from "../ui.js";

export async function render(ctx) {
  const { container } = ctx;
  ctx.setTitle("Os meus processos");
  container.append(
    h("h1", {}, "Os meus processos"),
    h("p", {}, "Os pedidos que apresentou, do mais recente para o mais antigo. Escolha um para ver o estado, os documentos e a decisão."),
  );
  const [{ processes }, catalogue] = await Promise.all([
    myRequests(),
    listServices().catch(() => ({ services: [] })), // titles only: the list still works without them
  ]);
  if (!ctx.isCurrent()) return;
  const titles = Object.fromEntries(catalogue.services.map((s) => [s.id, s.title]));

  if (!processes.length) {
    container.append(
      h("p", { id: "no-processes" }, "Ainda não apresentou nenhum pedido."),
      h("div", { class: "button-row" }, h("a", { class: "button", href: "#/" }, "Ver os serviços disponíveis")),
    );
    return;
  }

  const rows = processes.map((p) => {
    const draft = p.status === "rascunho";
    const href = draft ? `#/rascunhos/${encodeURIComponent(p.process_id)}` : `#/processos/${encodeURIComponent(p.process_id)}`;
    const title = titles[p.service_id] || p.service_id;
    return h("tr", { "data-process-id": p.process_id, "data-number": p.number || "" },
      h("th", { scope: "row", "data-label": "Processo" },
        h("a", { href, id: `process-link-${p.process_id}` },
          draft ? `Rascunho de ${formatDate(p.created_at)}` : p.number,
          h("span", { class: "visually-hidden" }, draft ? ` (${title}): continuar o pedido` : ` (${title})`))),
      h("td", { "data-label": "Serviço" }, title),
      h("td", { "data-label": "Estado" }, statusTag(p.status)),
      h("td", { "data-label": "Prazo de decisão" }, p.decision_deadline ? formatDate(p.decision_deadline) : "—"),
      h("td", { "data-label": "Submetido em" }, p.submitted_at ? formatDate(p.submitted_at) : "—"));
  });
  container.append(
    h("table", { class: "table table--stack", id: "processes-table", "data-testid": "processes-table" },
      h("caption", { class: "visually-hidden" }, "Os meus processos"),
      h("thead", {}, h("tr", {},
        ["Processo", "Serviço", "Estado", "Prazo de decisão", "Submetido em"].map((label) => h("th", { scope: "col" }, label)))),
      h("tbody", {}, rows)),
    h("div", { class: "button-row" }, h("a", { class: "button button--secondary", href: "#/" }, "Apresentar um novo pedido")),
  );
}

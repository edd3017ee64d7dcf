// Home: the services catalogue (GET /api/services) and the ways in for returning users.
import { listServices } from "../api.js";
import { h, organLabel } from "../ui.js";

export async function render(ctx) {
  const { container } = ctx;
  ctx.setTitle("Serviços");
  container.append(
    h("h1", {}, "Serviços municipais online"),
    h("p", { class: "lead" },
      "Apresente pedidos ao Município, entregue os documentos e acompanhe os seus processos, sem ir ao balcão."),
    h("ul", { class: "quick-links" },
      h("li", {},
        h("a", { href: "#/processos", id: "home-my-processes" }, h("strong", {}, "Os meus processos")),
        h("p", {}, "Veja o estado dos seus pedidos, os documentos entregues e as decisões.")),
      h("li", {},
        h("a", { href: "#/consulta", id: "home-lookup" }, h("strong", {}, "Consultar um processo")),
        h("p", {}, "Consulte os dados básicos de um processo pelo seu número, sem iniciar sessão."))),
  );
  const heading = h("h2", { id: "catalogue-title" }, "Catálogo de serviços");
  const list = h("ul", { class: "card-list", id: "service-list", "aria-labelledby": "catalogue-title", "aria-busy": "true" });
  container.append(heading, list);

  const { services } = await listServices();
  list.removeAttribute("aria-busy");
  if (!services.length) {
    list.replaceWith(h("p", {}, "De momento não há serviços disponíveis online."));
    return;
  }
  for (const service of services) {
    list.append(h("li", { class: "card", "data-service-id": service.id },
      h("h3", {}, h("a", { href: `#/servicos/${encodeURIComponent(service.id)}`, id: `service-link-${service.id}` }, service.title)),
      h("p", {}, service.summary),
      h("p", {}, h("span", { class: "tag" }, organLabel(service.organ)))));
  }
}

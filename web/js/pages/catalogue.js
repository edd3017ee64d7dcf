// Home: the services catalogue (GET /api/services, searched with ?q=), and the ways in for returning
// users. The search words live in the address (#/?q=agua) so that a search can be shared and the
// back button returns to it.
import { listServices } from "../api.js";
import { t } from "../i18n.js";
import { h } from "../dom.js";
import { organLabel } from "../labels.js";

export async function render(ctx) {
  const { container } = ctx;
  const query = (ctx.query.get("q") || "").trim();
  ctx.setTitle(t("Serviços"));
  container.append(
    h("h1", {}, t("Serviços municipais online")),
    h(
      "p",
      { class: "lead" },
      t("Apresente pedidos ao Município, entregue os documentos e acompanhe os seus processos, sem ir ao balcão."),
    ),
    h(
      "ul",
      { class: "quick-links" },
      h(
        "li",
        {},
        h("a", { href: "#/processos", id: "home-my-processes" }, h("strong", {}, t("Os meus processos"))),
        h("p", {}, t("Veja o estado dos seus pedidos, os documentos entregues e as decisões.")),
      ),
      h(
        "li",
        {},
        h("a", { href: "#/consulta", id: "home-lookup" }, h("strong", {}, t("Consultar um processo"))),
        h("p", {}, t("Consulte os dados básicos de um processo pelo seu número, sem iniciar sessão.")),
      ),
    ),
  );
  const search = h("input", {
    type: "search",
    id: "service-search",
    name: "q",
    value: query,
    "aria-describedby": "service-search-hint",
    autocomplete: "off",
    class: "input--medium",
  });
  const form = h(
    "form",
    { role: "search", id: "service-search-form", class: "search", "aria-label": t("Procurar um serviço") },
    h("label", { for: "service-search" }, t("Procurar um serviço")),
    h("span", { class: "hint", id: "service-search-hint" }, t("Por exemplo: água, prestações, máquina de diversão.")),
    h(
      "div",
      { class: "search__row" },
      search,
      h("button", { type: "submit", class: "button", id: "service-search-submit" }, t("Procurar")),
    ),
    query ? h("p", {}, h("a", { href: "#/", id: "service-search-clear" }, t("Limpar a pesquisa"))) : null,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const words = search.value.trim();
    ctx.navigate(words ? `/?q=${encodeURIComponent(words)}` : "/");
  });
  const heading = h("h2", { id: "catalogue-title" }, t("Catálogo de serviços"));
  const summary = h("p", { role: "status", id: "search-summary" });
  const list = h("ul", {
    class: "card-list",
    id: "service-list",
    "aria-labelledby": "catalogue-title",
    "aria-busy": "true",
  });
  container.append(form, heading, summary, list);

  const { services } = await listServices(query);
  if (!ctx.isCurrent()) return;
  list.removeAttribute("aria-busy");
  if (query) {
    summary.textContent = !services.length
      ? t("Nenhum serviço corresponde a «{q}». Tente outras palavras.", { q: query })
      : services.length === 1
        ? t("1 serviço corresponde a «{q}».", { q: query })
        : t("{n} serviços correspondem a «{q}».", { n: services.length, q: query });
  }
  if (!services.length) {
    list.hidden = true;
    if (!query) summary.textContent = t("De momento não há serviços disponíveis online.");
    return;
  }
  for (const service of services) {
    list.append(
      h(
        "li",
        { class: "card", "data-service-id": service.id },
        h(
          "h3",
          {},
          h(
            "a",
            { href: `#/servicos/${encodeURIComponent(service.id)}`, id: `service-link-${service.id}` },
            service.title,
          ),
        ),
        h("p", {}, service.summary),
        h("p", {}, h("span", { class: "tag" }, organLabel(service.organ))),
      ),
    );
  }
}

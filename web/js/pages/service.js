// One service's page (GET /api/services/{id}): how to ask, what to know, cost, deadline, documents.
import { getService } from "../api.js";
import { h, breadcrumbs, facts, formatBytes, organLabel } from "../ui.js";

// The seeds' sections, in the order a citizen reads them; any other section follows.
const SECTION_ORDER = ["Como realizar", "O que devo saber", "Custo", "Prazo"];
const FORMAT_NAMES = { pdf: "PDF", dwfx: "DWFx", dwg: "DWG", dxf: "DXF", jpeg: "JPEG", png: "PNG" };

export const formatList = (formats) => formats.map((f) => FORMAT_NAMES[f] || f.toUpperCase()).join(", ");

export function deadlineText(deadline) {
  if (!deadline) return "—";
  const unit = deadline.kind === "working" ? (deadline.days === 1 ? "dia útil" : "dias úteis") : (deadline.days === 1 ? "dia" : "dias");
  return `${deadline.days} ${unit}`;
}

export function feesText(fees) {
  if (!fees) return "—";
  const parts = [];
  if (fees.amount_eur !== null && fees.amount_eur !== undefined) {
    parts.push(new Intl.NumberFormat("pt-PT", { style: "currency", currency: "EUR" }).format(fees.amount_eur));
  }
  if (fees.note) parts.push(fees.note);
  return parts.join(". ") || "Sem custo.";
}

export async function render(ctx) {
  const { container } = ctx;
  const [serviceId] = ctx.params;
  const service = await getService(serviceId);
  ctx.setTitle(service.title);

  const sectionNames = [
    ...SECTION_ORDER.filter((name) => service.sections[name]),
    ...Object.keys(service.sections).filter((name) => !SECTION_ORDER.includes(name)),
  ];

  container.append(
    breadcrumbs([["Serviços", "#/"], [service.title]]),
    h("span", { class: "caption" }, organLabel(service.organ)),
    h("h1", {}, service.title),
    h("p", { class: "lead" }, service.summary),
    h("div", { class: "button-row" },
      h("a", { class: "button", href: `#/pedidos/novo/${encodeURIComponent(service.id)}`, id: "start-request" },
        "Iniciar pedido")),
  );

  for (const name of sectionNames) {
    const id = `seccao-${slug(name)}`;
    container.append(h("section", { class: "section-block", "aria-labelledby": id },
      h("h2", { id }, name),
      h("p", { class: "pre-line" }, service.sections[name])));
  }

  container.append(h("section", { class: "section-block", "aria-labelledby": "seccao-documentos" },
    h("h2", { id: "seccao-documentos" }, "Documentos a apresentar"),
    service.documents.length
      ? h("ul", { id: "service-documents" }, service.documents.map((slot) => h("li", {},
        h("strong", {}, slot.label),
        ` — ${slot.required ? "obrigatório" : "opcional"}; formato ${formatList(slot.formats)}, até ${formatBytes(slot.max_bytes)}.`)))
      : h("p", {}, "Este serviço não pede documentos.")));

  container.append(h("section", { class: "section-block", "aria-labelledby": "seccao-mais" },
    h("h2", { id: "seccao-mais" }, "Mais informação"),
    facts([
      ["Quem pode pedir", service.who_may_ask],
      ["Custo", feesText(service.fees)],
      ["Prazo de decisão", deadlineText(service.decision_deadline)],
      ["Enquadramento legal", service.legal_basis],
      service.contacts && (service.contacts.email || service.contacts.phone)
        ? ["Contactos", [
          service.contacts.email ? h("a", { href: `mailto:${service.contacts.email}` }, service.contacts.email) : null,
          service.contacts.email && service.contacts.phone ? " · " : null,
          service.contacts.phone ? h("a", { href: `tel:${service.contacts.phone.replace(/\s+/g, "")}` }, service.contacts.phone) : null,
        ]]
        : null,
    ], { id: "service-facts" })));
}

function slug(text) {
  return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
}

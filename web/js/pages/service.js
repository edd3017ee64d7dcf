// One service's page (GET /api/services/{id}): how to ask, what to know, cost, deadline, documents.
import { getService } from "../api.js";
import { t } from "../i18n.js";
import { h, breadcrumbs, facts } from "../dom.js";
import { formatBytes } from "../format.js";
import { organLabel } from "../labels.js";

// The seeds' sections, in the order a citizen reads them; any other section follows.
const SECTION_ORDER = ["Como realizar", "O que devo saber", "Custo", "Prazo"];
const FORMAT_NAMES = { pdf: "PDF", dwfx: "DWFx", dwg: "DWG", dxf: "DXF", jpeg: "JPEG", png: "PNG" };

export const formatList = (formats) => formats.map((f) => FORMAT_NAMES[f] || f.toUpperCase()).join(", ");

export function deadlineText(deadline) {
  if (!deadline) return "—";
  const unit =
    deadline.kind === "working"
      ? deadline.days === 1
        ? "dia útil"
        : "dias úteis"
      : deadline.days === 1
        ? "dia"
        : "dias";
  return `${deadline.days} ${t(unit)}`;
}

export function feesText(fees) {
  if (!fees) return "—";
  const parts = [];
  if (fees.amount_eur !== null && fees.amount_eur !== undefined) {
    parts.push(new Intl.NumberFormat("pt-PT", { style: "currency", currency: "EUR" }).format(fees.amount_eur));
  }
  if (fees.note) parts.push(fees.note);
  return parts.join(". ") || t("Sem custo.");
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
    h(
      "div",
      { class: "button-row" },
      h(
        "a",
        { class: "button", href: `#/pedidos/novo/${encodeURIComponent(service.id)}`, id: "start-request" },
        t("Iniciar pedido"),
      ),
    ),
  );

  for (const name of sectionNames) {
    const id = `seccao-${slug(name)}`;
    container.append(
      h(
        "section",
        { class: "section-block", "aria-labelledby": id },
        h("h2", { id }, name),
        h("p", { class: "pre-line" }, service.sections[name]),
      ),
    );
  }

  const documentItem = (slot) =>
    h(
      "li",
      { "data-slot": slot.slot },
      h("strong", {}, slot.label),
      ` — ${t(slot.required ? "obrigatório" : "opcional")}; ${t("formato")} ${formatList(slot.formats)}, ${t("até")} ${formatBytes(slot.max_bytes)}.`,
      slot.when && slot.when.length ? h("span", { class: "hint" }, conditionText(service, slot.when)) : null,
    );
  container.append(
    h(
      "section",
      { class: "section-block", "aria-labelledby": "seccao-documentos" },
      h("h2", { id: "seccao-documentos" }, t("Documentos a apresentar")),
      service.documents.length
        ? h("ul", { id: "service-documents", class: "document-list" }, service.documents.map(documentItem))
        : h("p", {}, t("Este serviço não pede documentos.")),
      (service.party_documents || []).length
        ? [
            h("h3", { id: "seccao-documentos-quem-pede" }, t("Conforme quem pede")),
            h(
              "p",
              {},
              t(
                "Quem pede em nome próprio e entrou com a sua conta não precisa de documentos de identificação. Uma pessoa coletiva prova a sua legitimidade; um representante, a sua qualidade.",
              ),
            ),
            h(
              "ul",
              { id: "service-party-documents", class: "document-list" },
              service.party_documents.map(documentItem),
            ),
          ]
        : null,
    ),
  );

  container.append(
    h(
      "section",
      { class: "section-block", "aria-labelledby": "seccao-mais" },
      h("h2", { id: "seccao-mais" }, t("Mais informação")),
      facts(
        [
          [t("Quem pode pedir"), service.who_may_ask],
          [t("Custo"), feesText(service.fees), { id: "service-fees" }],
          [t("Prazo de decisão"), deadlineText(service.decision_deadline), { id: "service-deadline" }],
          [t("Enquadramento legal"), service.legal_basis, { id: "service-legal-basis" }],
          service.contacts && service.contacts.address ? [t("Morada"), service.contacts.address] : null,
          service.contacts && service.contacts.hours ? [t("Horário"), service.contacts.hours] : null,
          service.contacts && (service.contacts.email || service.contacts.phone)
            ? [
                t("Contactos"),
                [
                  service.contacts.email
                    ? h("a", { href: `mailto:${service.contacts.email}` }, service.contacts.email)
                    : null,
                  service.contacts.email && service.contacts.phone ? " · " : null,
                  service.contacts.phone
                    ? h("a", { href: `tel:${service.contacts.phone.replace(/\s+/g, "")}` }, service.contacts.phone)
                    : null,
                ],
              ]
            : null,
        ],
        { id: "service-facts" },
      ),
    ),
  );
}

function slug(text) {
  return text
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}

// "Só se: Tipo de prestações é Opção b); o requerente é pessoa singular" from a slot's conditions.
const PARTY_FACT_TEXT = {
  "requerente.type": { singular: "o requerente é uma pessoa singular", coletiva: "o requerente é uma pessoa coletiva" },
  "requerente.collective_kind": {
    empresa: "o requerente é uma empresa",
    associacao: "o requerente é uma associação",
    comissao_festas: "o requerente é uma comissão de festas",
    outra: "o requerente é outra pessoa coletiva",
  },
  "representante.quality": {
    representante_legal: "pede um representante legal",
    mandatario: "pede um mandatário",
    gestor_negocios: "pede um gestor de negócios",
    outra: "pede um representante noutra qualidade",
  },
};

export function conditionText(service, when) {
  const parts = when.map((condition) => {
    const party = PARTY_FACT_TEXT[condition.field];
    if (party) return condition.one_of.map((value) => t(party[value] || String(value))).join(` ${t("ou")} `);
    const spec = (service.fields || []).find((field) => field.name === condition.field);
    const label = spec ? spec.label : condition.field;
    const values = condition.one_of.map((value) => {
      if (spec && spec.options)
        return (spec.options.find((option) => option.value === value) || { label: value }).label;
      if (value === true) return t("Sim");
      if (value === false) return t("Não");
      return String(value);
    });
    return `${label}: ${values.join(` ${t("ou")} `)}`;
  });
  return `${t("Só se")} ${parts.join("; ")}.`;
}

// Rectification, erasure, restriction and objection (GDPR arts. 16-18, 21): the account holder asks
// with their grounds (POST /api/account/rights-requests) and follows the answer of the municipality's
// data protection officer (GET /api/account/rights-requests), due within one month (three if extended).
import { fileRightsRequest, myRightsRequests } from "./api.js";
import { t } from "./i18n.js";
import { h, notice } from "./dom.js";
import { apiForm, required, selectField, textField, valueOf } from "./forms.js";
import { formatDate } from "./format.js";

const STATUS_WORDS = {
  aberto: "A aguardar resposta",
  prorrogado: "Prazo prorrogado",
  deferido: "Deferido",
  indeferido: "Indeferido",
};

export function rightsRequestsSection(errors, ctx) {
  const status = h("div", { role: "status", id: "rights-status" });
  const list = h("div", { id: "rights-list" });
  const draw = () =>
    myRightsRequests().then(({ requests }) => {
      if (ctx.isCurrent()) list.replaceChildren(requestsTable(requests));
    });
  draw();
  const form = apiForm({
    id: "rights-form",
    submitId: "rights-submit",
    submitLabel: t("Enviar o pedido"),
    errors,
    labelledBy: "rights-title",
    children: [
      selectField({
        id: "rights-kind",
        label: t("O que pede"),
        field: "kind",
        options: [
          ["retificacao", t("Corrigir os meus dados (retificação)")],
          ["apagamento", t("Apagar os meus dados (apagamento)")],
          ["limitacao", t("Limitar o tratamento dos meus dados (limitação)")],
          ["oposicao", t("Opor-me a um tratamento (oposição)")],
        ],
      }),
      textField({
        id: "rights-grounds",
        label: t("Fundamentos do pedido"),
        hint: t("Diga porque pede e, se for o caso, que dados ou tratamento estão em causa."),
        field: "grounds",
        multiline: true,
      }),
      h(
        "fieldset",
        { id: "rights-changes" },
        h("legend", {}, t("Dados corretos (só para uma retificação)")),
        textField({ id: "rights-name", label: t("Nome"), field: "changes.name", autocomplete: "name" }),
        textField({ id: "rights-street", label: t("Rua e número"), field: "changes.address.street" }),
        textField({ id: "rights-postal", label: t("Código postal"), field: "changes.address.postal_code" }),
        textField({ id: "rights-locality", label: t("Localidade"), field: "changes.address.locality" }),
      ),
    ],
    check: (f) =>
      required(f, [
        ["rights-kind", t("Escolha o que pede.")],
        ["rights-grounds", t("Indique os fundamentos do pedido.")],
      ]),
    send: (f) => {
      const body = { kind: valueOf(f, "rights-kind"), grounds: valueOf(f, "rights-grounds") };
      if (body.kind === "retificacao") {
        const changes = {};
        if (valueOf(f, "rights-name")) changes.name = valueOf(f, "rights-name");
        const address = {
          street: valueOf(f, "rights-street"),
          postal_code: valueOf(f, "rights-postal"),
          locality: valueOf(f, "rights-locality"),
        };
        if (Object.values(address).some(Boolean)) changes.address = address;
        body.changes = changes;
      }
      return fileRightsRequest(body);
    },
    done: (answer, f) => {
      f.reset();
      status.replaceChildren(
        notice(
          "success",
          h(
            "p",
            {},
            t("Pedido enviado ao encarregado de proteção de dados. Resposta até {date}.", {
              date: formatDate(answer.due_on),
            }),
          ),
        ),
      );
      draw();
    },
  });
  return h(
    "section",
    { class: "section-block", id: "rights-requests", "aria-labelledby": "rights-title" },
    h("h2", { id: "rights-title" }, t("Corrigir, apagar, limitar ou opor-se")),
    h(
      "p",
      {},
      t(
        "O encarregado de proteção de dados do Município responde no prazo de um mês, prorrogável por mais dois em pedidos complexos (sendo avisado por email). A lei obriga a conservar alguns registos, como os processos e a prova das notificações, seja qual for a resposta.",
      ),
    ),
    form,
    status,
    list,
  );
}

function requestsTable(requests) {
  if (!requests.length) return h("p", { id: "rights-none" }, t("Ainda não fez nenhum pedido."));
  const columns = [t("Pedido"), t("Feito em"), t("Resposta até"), t("Estado"), t("Resposta")];
  return h(
    "table",
    { class: "table table--stack", id: "rights-table" },
    h("caption", { class: "visually-hidden" }, t("Os seus pedidos")),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        columns.map((c) => h("th", { scope: "col" }, c)),
      ),
    ),
    h(
      "tbody",
      {},
      requests.map((r) =>
        h(
          "tr",
          {},
          h("td", { "data-label": columns[0] }, r.kind_label),
          h("td", { "data-label": columns[1] }, formatDate(r.filed_at.slice(0, 10))),
          h("td", { "data-label": columns[2] }, formatDate(r.due_on)),
          h("td", { "data-label": columns[3] }, t(STATUS_WORDS[r.status] || r.status)),
          h("td", { "data-label": columns[4] }, r.answer || r.extension || ""),
        ),
      ),
    ),
  );
}

// "Mensagens": writing to the municipality's services outside any process (GET/POST
// /api/messages/{organ}); the services' answers come by email and show here. Messages about one
// process are on that process's page.
import { generalMessages, listServices, newKey, sendGeneralMessage } from "../api.js";
import { t } from "../i18n.js";
import { messageList } from "../messages.js";
import { h } from "../dom.js";
import { apiForm, ErrorSummary, selectField, textField, valueOf } from "../forms.js";
import { organLabel } from "../labels.js";

export async function render(ctx) {
  const { container } = ctx;
  ctx.setTitle(t("Mensagens"));
  container.append(
    h("h1", {}, t("Mensagens")),
    h(
      "p",
      {},
      t(
        "Escreva aos serviços do Município sobre um assunto que não é de um processo: uma dúvida antes de fazer um pedido, uma informação, uma sugestão. Para um processo seu, escreva na página do processo.",
      ),
    ),
  );
  const errors = new ErrorSummary(container);
  const { services } = await listServices();
  if (!ctx.isCurrent()) return;
  const organs = [...new Set(services.map((service) => service.organ).filter(Boolean))];
  let organ = ctx.query.get("servico");
  if (!organs.includes(organ)) organ = organs[0];

  if (organs.length > 1) {
    const chooser = selectField({
      id: "message-organ",
      label: t("Serviço municipal"),
      empty: null,
      value: organ,
      options: organs.map((value) => [value, organLabel(value)]),
    });
    chooser.querySelector("select").addEventListener("change", (event) => {
      ctx.navigate(`/mensagens?servico=${encodeURIComponent(event.target.value)}`);
    });
    container.append(chooser);
  }

  const thread = h(
    "section",
    { id: "general-messages", "aria-labelledby": "general-messages-title" },
    h("h2", { id: "general-messages-title" }, t("As suas mensagens")),
    h("p", { id: "message-recipient" }, h("strong", {}, t("Destinatário:")), ` ${organLabel(organ)}`),
  );
  container.append(thread);
  const { messages } = await generalMessages(organ);
  if (!ctx.isCurrent()) return;
  thread.append(messageList(messages, { id: "general-messages-list" }));

  const key = newKey();
  container.append(
    apiForm({
      id: "general-message-form",
      labelledBy: "general-message-title",
      children: [
        h("h2", { id: "general-message-title" }, t("Nova mensagem")),
        textField({
          id: "general-message-text",
          name: "text",
          field: "text",
          multiline: true,
          label: t("Mensagem"),
          hint: t("Não escreva palavras-passe nem dados de pagamento."),
        }),
      ],
      submitId: "general-message-submit",
      submitLabel: t("Enviar mensagem"),
      errors,
      check: (form) =>
        valueOf(form, "general-message-text")
          ? []
          : [{ input: form.querySelector("#general-message-text"), message: t("Escreva a mensagem.") }],
      send: (form) => sendGeneralMessage(organ, valueOf(form, "general-message-text"), key),
      done: () => {
        ctx.flash("success", t("Mensagem enviada. A resposta dos serviços chega por email e fica nesta página."));
        ctx.navigate(`/mensagens?servico=${encodeURIComponent(organ)}`);
      },
    }),
  );
}

// Password recovery (POST /api/password/recovery): a 30-minute link to the account's email. The
// answer is the same whether or not there is such an account.
import { recoverPassword } from "../api.js";
import { t } from "../i18n.js";
import { h, notice } from "../dom.js";
import { apiForm, ErrorSummary, required, textField, valueOf } from "../forms.js";

export async function render(ctx) {
  const { container } = ctx;
  ctx.setTitle(t("Recuperar a palavra-passe"));
  container.append(
    h("h1", {}, t("Recuperar a palavra-passe")),
    h(
      "p",
      {},
      t(
        "Indique o NIF, o nome de utilizador ou o email da conta. Enviamos para o email da conta uma ligação, válida 30 minutos, para definir uma nova palavra-passe.",
      ),
    ),
  );
  const errors = new ErrorSummary(container);
  const status = h("div", { role: "status", id: "recovery-status" });
  container.append(
    apiForm({
      id: "recovery-form",
      submitId: "recovery-submit",
      submitLabel: t("Enviar ligação"),
      errors,
      children: [
        textField({
          id: "identifier",
          label: t("NIF, nome de utilizador ou email"),
          field: "identifier",
          autocomplete: "username",
          inputClass: "input--medium",
          extra: { spellcheck: "false", autocapitalize: "none" },
        }),
      ],
      check: (f) => required(f, [["identifier", t("Indique o seu NIF, nome de utilizador ou email.")]]),
      send: (f) => recoverPassword(valueOf(f, "identifier")),
      done: (answer) => status.replaceChildren(notice("success", h("p", {}, answer.message))),
    }),
    status,
  );
}

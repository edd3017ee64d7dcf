// Activation (POST /api/account/activation): with the username and the activation password emailed
// when staff validated the registration, the citizen sets the password they will use (once).
import { activateAccount } from "../api.js";
import { t } from "../i18n.js";
import { h } from "../dom.js";
import { apiForm, ErrorSummary, passwordProblem, required, textField, valueOf } from "../forms.js";
import { newPasswordFields, repeatProblem } from "./password-reset.js";

export async function render(ctx) {
  const { container } = ctx;
  ctx.setTitle(t("Ativar a conta"));
  container.append(
    h("h1", {}, t("Ativar a conta")),
    h(
      "p",
      {},
      t(
        "Use o nome de utilizador e a palavra-passe de ativação que recebeu por email, e escolha a palavra-passe que vai usar daqui em diante.",
      ),
    ),
  );
  const errors = new ErrorSummary(container);
  container.append(
    apiForm({
      id: "activation-form",
      submitId: "activate-submit",
      submitLabel: t("Ativar a conta"),
      errors,
      children: [
        textField({
          id: "identifier",
          label: t("Nome de utilizador"),
          field: "identifier",
          autocomplete: "username",
          inputClass: "input--medium",
          value: ctx.query.get("utilizador") || "",
          extra: { spellcheck: "false", autocapitalize: "none" },
        }),
        textField({
          id: "activation_password",
          type: "password",
          label: t("Palavra-passe de ativação"),
          field: "activation_password",
          autocomplete: "one-time-code",
          inputClass: "input--medium",
        }),
        ...newPasswordFields(),
      ],
      check: (f) => {
        const problems = required(f, [
          ["identifier", t("Indique o nome de utilizador.")],
          ["activation_password", t("Indique a palavra-passe de ativação.")],
        ]);
        const weak = passwordProblem(valueOf(f, "new_password", { trim: false }));
        if (weak) problems.push({ input: f.querySelector("#new_password"), message: weak });
        return problems.concat(repeatProblem(f));
      },
      send: (f) =>
        activateAccount(
          valueOf(f, "identifier"),
          valueOf(f, "activation_password", { trim: false }),
          valueOf(f, "new_password", { trim: false }),
        ),
      done: () => {
        ctx.flash(
          "success",
          t("Conta ativada. Entre com a nova palavra-passe; no primeiro acesso pedimos um código de confirmação."),
        );
        ctx.navigate("/entrar");
      },
    }),
  );
}

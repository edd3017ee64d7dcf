// A new password from the emailed recovery link: #/nova-palavra-passe?token=… (POST /api/password/reset).
import { resetPassword } from "../api.js";
import { t } from "../i18n.js";
import { h, notice } from "../dom.js";
import { apiForm, ErrorSummary, passwordProblem, textField, valueOf } from "../forms.js";

// The new password twice (activation, reset, change of password).
export function newPasswordFields(prefix = "") {
  return [
    textField({
      id: `${prefix}new_password`,
      type: "password",
      label: t("Nova palavra-passe"),
      field: "new_password",
      autocomplete: "new-password",
      inputClass: "input--medium",
      hint: t("Pelo menos 8 caracteres; sugerimos uma frase de 15 ou mais."),
    }),
    textField({
      id: `${prefix}new_password_repeat`,
      type: "password",
      label: t("Repita a nova palavra-passe"),
      autocomplete: "new-password",
      inputClass: "input--medium",
    }),
  ];
}

export function repeatProblem(form, prefix = "") {
  const first = valueOf(form, `${prefix}new_password`, { trim: false });
  const again = form.querySelector(`#${prefix}new_password_repeat`);
  return first && again.value !== first ? [{ input: again, message: t("As palavras-passe não coincidem.") }] : [];
}

export async function render(ctx) {
  const { container } = ctx;
  const token = ctx.query.get("token") || "";
  ctx.setTitle(t("Definir nova palavra-passe"));
  container.append(h("h1", {}, t("Definir nova palavra-passe")));
  const errors = new ErrorSummary(container);
  if (!token) {
    container.append(
      notice("warning", h("p", {}, t("Esta ligação está incompleta. Peça uma nova ligação."))),
      h("p", {}, h("a", { href: "#/recuperar-senha" }, t("Recuperar a palavra-passe"))),
    );
    return;
  }
  container.append(
    apiForm({
      id: "reset-form",
      submitId: "reset-submit",
      submitLabel: t("Guardar"),
      errors,
      children: newPasswordFields(),
      check: (f) => {
        const weak = passwordProblem(valueOf(f, "new_password", { trim: false }));
        return (weak ? [{ input: f.querySelector("#new_password"), message: weak }] : []).concat(repeatProblem(f));
      },
      send: (f) => resetPassword(token, valueOf(f, "new_password", { trim: false })),
      done: () => {
        ctx.flash("success", t("A palavra-passe foi alterada. Entre com a nova palavra-passe."));
        ctx.navigate("/entrar");
      },
    }),
  );
}

// A registrant's own page while staff validate the registration (a "registration" session, GET
// /api/registration): where it stands, the proof of address (or employment) uploaded straight to S3
// with js/upload.js, and the mobile phone, which once confirmed may receive the first-login code.
import { myRegistration, requestProofSlot } from "../api.js";
import { t } from "../i18n.js";
import { h, facts, notice } from "../dom.js";
import { ErrorSummary } from "../forms.js";
import { UploadSlot } from "../upload.js";
import { phoneSection } from "./account.js";

const STATUS_TEXT = {
  aguarda_confirmacao_email: "A aguardar a confirmação do email",
  aguarda_validacao: "A aguardar validação pelos serviços",
  rejeitado: "Registo recusado",
  ativo: "Conta ativa",
};
const PROOF_LABELS = { morada: "Comprovativo de morada", funcoes: "Comprovativo de funções" };
const PROOF_MAX_BYTES = 10 * 1024 * 1024; // chalicelib/accounts/registration.py PROOF_MAX_BYTES

export async function render(ctx) {
  const { container } = ctx;
  const registration = await myRegistration();
  if (!ctx.isCurrent()) return;
  ctx.setTitle(t("Estado do registo"));
  container.append(h("h1", {}, t("Estado do registo")));
  const errors = new ErrorSummary(container);
  const awaiting = registration.status === "aguarda_validacao";
  container.append(
    facts(
      [
        [t("Nome"), registration.name],
        [t("Email"), registration.email],
        [
          t("Estado"),
          h(
            "span",
            { class: `status status--${registration.status}` },
            t(STATUS_TEXT[registration.status] || registration.status),
          ),
          { id: "registration-status", "data-status": registration.status },
        ],
      ],
      { id: "registration-facts" },
    ),
  );

  if (registration.status === "rejeitado") {
    container.append(
      notice(
        "error",
        h("p", {}, t("Os serviços recusaram o registo.")),
        registration.rejection_reason ? h("p", { id: "rejection-reason" }, registration.rejection_reason) : null,
        h("p", {}, t("Pode registar-se de novo com os dados corrigidos.")),
      ),
      h("p", {}, h("a", { href: "#/registo" }, t("Criar conta"))),
    );
    return;
  }

  const kind = registration.proof_kind || "morada";
  const slotLabel = t(PROOF_LABELS[kind] || PROOF_LABELS.morada);
  const proofSection = h(
    "section",
    { class: "section-block", "aria-labelledby": "proof-title" },
    h("h2", { id: "proof-title" }, slotLabel),
    h(
      "p",
      {},
      t(
        "Um PDF com data dos últimos 6 meses onde se leiam o seu NIF, o nome e a morada (por exemplo, uma fatura de água, luz ou telecomunicações, ou um atestado da Junta de Freguesia). Os serviços validam-no e enviam-lhe por email os dados de acesso.",
      ),
    ),
  );
  container.append(proofSection);
  const proof = registration.proof;
  const slot = new UploadSlot({
    processId: null,
    slot: {
      slot: `comprovativo_${kind}`,
      label: slotLabel,
      required: true,
      formats: ["pdf"],
      max_bytes: PROOF_MAX_BYTES,
    },
    documents: proof && proof.status ? [proofDocument(proof)] : [],
    errors,
    api: {
      requestSlot: (filename, contentType) => requestProofSlot(filename, contentType),
      // the proof's verdict is written on the registration once inspected (and pre-checked)
      getDocument: async (documentId) => {
        const current = await myRegistration();
        const latest = current.proof;
        if (latest && latest.document_id === documentId && latest.status) return proofDocument(latest);
        return { document_id: documentId, status: "a_aguardar" };
      },
    },
    onChange: (upload) => {
      if (upload.state === "accepted") {
        proofStatus.replaceChildren(
          notice(
            "success",
            h(
              "p",
              {},
              t(
                "Recebemos o comprovativo. Os serviços vão validar o registo; enviamos-lhe um email com os dados de acesso.",
              ),
            ),
          ),
        );
      }
    },
  });
  const proofStatus = h("div", { id: "proof-next", role: "status" });
  if (!awaiting) slot.element.hidden = true;
  proofSection.append(slot.element, proofStatus);
  container.append(phoneSection(ctx, errors, ctx.session.user));
}

function proofDocument(proof) {
  return { document_id: proof.document_id, filename: proof.filename, status: proof.status, reason: proof.reason };
}

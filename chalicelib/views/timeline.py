"""A process's timeline as the citizen reads it: every step, dated, in their words; who in the
services did it and from where stay in the staff's view (the audit events themselves)."""

from __future__ import annotations

from typing import Any

# What a citizen reads in their process's timeline: every step, dated, in their words; who in the
# services did it and from where stay in the staff's view.
TIMELINE_LABELS = {
    "process.draft_created": "Pedido iniciado",
    "document.accepted": "Documento recebido e verificado",
    "document.rejected": "Documento recusado",
    "document.replaced": "Documento substituído por nova versão",
    "process.submitted": "Pedido submetido",
    "process.awaiting_payment": "A aguardar pagamento",
    "process.payment_recorded": "Pagamento recebido",
    "receipt.issued": "Comprovativo de submissão emitido",
    "process.awaiting_decision": "Em apreciação pelos serviços",
    "process.documentos_rejeitados": "Documentos recusados",
    "workflow.step_failed": "Um passo do tratamento falhou: os serviços vão retomá-lo",
    "workflow.step_retried": "Tratamento retomado pelos serviços",
    "task.opened.pendencia": "Pendência: os serviços pedem elementos",
    "task.opened.audiencia": "Audiência prévia: projeto de indeferimento",
    "task.opened.assinatura": "Pedida a sua assinatura",
    "task.answered": "Pendência respondida",
    "hearing.answered": "Pronúncia na audiência prévia entregue",
    "task.expired": "Prazo de resposta terminado",
    "payment_plan.issued": "Plano de pagamento emitido",
    "signature.signed": "Documento assinado",
    "process.deferido": "Decisão: deferido",
    "process.indeferido": "Decisão: indeferido",
    "notification.sent": "Notificação enviada",
    "message.sent": "Mensagem",
    "process.view_granted": "Vista do processo concedida",
    "process.view_revoked": "Vista do processo revogada",
}


def citizen_timeline(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    timeline = []
    for event in events:
        label = TIMELINE_LABELS.get(event["action"])
        if label is None:
            continue
        details = event.get("details", {})
        entry = {"at": event["at"], "action": event["action"], "label": label}
        for key in ("task_id", "deadline", "template", "document_id", "grantee_name", "until"):
            if key in details:
                entry[key] = details[key]
        timeline.append(entry)
    return timeline

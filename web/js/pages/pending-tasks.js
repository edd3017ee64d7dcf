// "Minhas pendências": GET /api/pending-tasks — what the services wait for from me across all my
// processes (a pendência, the prior hearing, a signature), nearest deadline first, each linked to the
// process page where it is answered.
import { myPendingTasks } from "../api.js";
import { t } from "../i18n.js";
import { actionText, sortTasks } from "../tasks.js";
import { h } from "../dom.js";
import { formatDate, workingDaysText } from "../format.js";
import { kindLabel } from "../labels.js";

export async function render(ctx) {
  const { container } = ctx;
  ctx.setTitle(t("Minhas pendências"));
  container.append(
    h("h1", {}, t("Minhas pendências")),
    h(
      "p",
      {},
      t(
        "O que os serviços aguardam de si, em todos os seus processos, do prazo mais próximo para o mais distante. Uma pendência que fique sem resposta no prazo fecha-se e o processo segue sem ela.",
      ),
    ),
  );
  const { pending_tasks: tasks } = await myPendingTasks();
  if (!ctx.isCurrent()) return;
  if (!tasks.length) {
    container.append(
      h("p", { id: "no-pending-tasks" }, t("Não tem pendências por responder.")),
      h(
        "div",
        { class: "button-row" },
        h("a", { class: "button button--secondary", href: "#/processos" }, t("Ver os meus processos")),
      ),
    );
    return;
  }
  container.append(
    h(
      "ul",
      { class: "task-list", id: "pending-tasks-list" },
      sortTasks(tasks).map((task) => {
        const days = task.working_days_left ?? null;
        const href = `#/processos/${encodeURIComponent(task.process_id)}`;
        return h(
          "li",
          {
            class: "card task-summary",
            "data-task-id": task.task_id,
            "data-kind": task.kind,
            "data-process-id": task.process_id,
          },
          h(
            "p",
            { class: "task-summary__kind" },
            h("span", { class: `tag tag--${task.kind}` }, kindLabel(task.kind)),
            " ",
            h("span", { class: "muted" }, t("Processo {number}", { number: task.number || "—" })),
          ),
          h("h2", {}, task.subject),
          task.description && task.kind !== "audiencia" ? h("p", { class: "pre-line" }, task.description) : null,
          h(
            "p",
            {
              class: `task-summary__deadline${days !== null && days <= 2 ? " task-summary__deadline--soon" : ""}`,
              id: `pending-deadline-${task.task_id}`,
              "data-deadline": task.deadline || "",
              "data-days-left": days ?? "",
            },
            h("strong", {}, t("Prazo:")),
            ` ${formatDate(task.deadline)} — ${workingDaysText(days)}`,
          ),
          h(
            "p",
            {},
            h(
              "a",
              { href, id: `pending-link-${task.task_id}`, class: "button button--small" },
              actionText(task),
              h(
                "span",
                { class: "visually-hidden" },
                ` — ${task.subject}, ${t("processo {number}", { number: task.number || "" })}`,
              ),
            ),
          ),
        );
      }),
    ),
  );
}

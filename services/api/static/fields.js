// The appeal's fields in the right pane (issue 14): kind, topic and priority are set from the
// console (PATCH /api/v1/appeals/{id}; the server writes one event per changed field and, when a
// new kind moves the due date, tells the citizen, R6); the status is shown; the due date moves
// only by a reasoned extension (POST …/extend, АППК art. 76). Loaded after console.js and uses
// its globals (T, t, v, $, api, me, lang, convs, active, topics, refresh) and showProblem and
// priorityWord of frame.js. Plain DOM, text only.
"use strict";

Object.assign(T.kk, {
  fields_h: "Өтініш", save_fields: "Сақтау", fields_saved: "Сақталды", fields_same: "Өзгеріс жоқ",
  extend_open: "ұзарту…", extend_to: "Жаңа мерзім", extend_do: "Мерзімді ұзарту", extended: "Мерзім ұзартылды",
});
Object.assign(T.ru, {
  fields_h: "Обращение", save_fields: "Сохранить", fields_saved: "Сохранено", fields_same: "Изменений нет",
  extend_open: "продлить…", extend_to: "Новый срок", extend_do: "Продлить срок", extended: "Срок продлён",
});
Object.assign(T.en, {
  fields_h: "The appeal", save_fields: "Save", fields_saved: "Saved", fields_same: "Nothing changed",
  extend_open: "extend…", extend_to: "New due date", extend_do: "Extend the term", extended: "Term extended",
});
translate();

window.drawFields = (() => {
  const KINDS = ["request", "application", "proposal"];
  const topicName = (x) => (lang === "ru" ? x.name_ru : lang === "en" ? x.name_en || x.name_ru : x.name_kk);
  let drawnFor = null;

  function fill(sel, options, value) {
    sel.replaceChildren(...options.map(([val, label]) => new Option(label, val)));
    sel.value = value;
  }

  function draw(c) {
    const form = $("fields");
    const a = c.detail.appeal;
    const centre = me && me.role !== "body_officer";
    form.hidden = !centre;
    $("extend").hidden = true;
    if (!centre) return;
    $("field-status").textContent = v("status", a.status);
    $("field-due").textContent = a.due_at ? new Date(a.due_at).toLocaleDateString(lang) : "—";
    $("field-due").dataset.sla = slaOf(a);
    // A redraw pushed while the operator is choosing keeps their choice; another appeal does not.
    if (drawnFor === a.id && form.contains(document.activeElement)) return;
    drawnFor = a.id;
    const done = a.status === "answered" || a.status === "closed";
    const kinds = a.kind === "complaint" ? ["complaint"] : KINDS;
    fill($("field-kind"), kinds.map((k) => [k, v("kind", k)]), a.kind);
    const list = [...topics.values()].filter((x) => x.active !== false || x.id === a.topic_id)
      .sort((x, y) => topicName(x).localeCompare(topicName(y), lang));
    fill($("field-topic"), [["", "—"], ...list.map((x) => [x.id, topicName(x)])], a.topic_id || "");
    fill($("field-priority"), [1, 2, 3, 4, 5].map((p) => [String(p), priorityWord(p)]), String(a.priority));
    $("field-kind").disabled = done || a.kind === "complaint";
    $("field-topic").disabled = done;
    $("field-priority").disabled = done;
    form.querySelector("button[type=submit]").hidden = done;
    $("extend-open").hidden = done || !a.due_at;
    $("fields-status").textContent = "";
  }

  $("fields").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const c = convs.get(active);
    if (!c || !c.detail) return;
    const a = c.detail.appeal;
    const change = {};
    if ($("field-kind").value !== a.kind) change.kind = $("field-kind").value;
    if (($("field-topic").value || null) !== (a.topic_id || null)) change.topic_id = $("field-topic").value || null;
    if (Number($("field-priority").value) !== a.priority) change.priority = Number($("field-priority").value);
    if (!Object.keys(change).length) { $("fields-status").textContent = t("fields_same"); return; }
    const r = await api("PATCH", `/api/v1/appeals/${c.id}`, change);
    if (!r.ok) { showProblem(r, $("fields-status")); return; }
    drawnFor = null;
    await refresh(c);
    $("fields-status").textContent = t("fields_saved");
    $("fields-status").title = "";
  });
  // Enter on a list saves, as in a text field: the form is kept by the keyboard alone.
  $("fields").addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && ev.target.tagName === "SELECT") { ev.preventDefault(); $("fields").requestSubmit(); }
  });

  $("extend-open").addEventListener("click", () => {
    const box = $("extend");
    box.hidden = !box.hidden;
    if (!box.hidden) {
      const tomorrow = new Date(Date.now() + 24 * 3600 * 1000);
      $("extend-date").min = tomorrow.toISOString().slice(0, 10);
      $("extend-status").textContent = "";
      $("extend-date").focus();
    }
  });
  $("extend").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const c = convs.get(active);
    if (!c) return;
    const r = await api("POST", `/api/v1/appeals/${c.id}/extend`, { due_date: $("extend-date").value, reason: $("extend-reason").value.trim() });
    if (!r.ok) { showProblem(r, $("extend-status")); return; }
    $("extend-reason").value = "";
    $("extend-date").value = "";
    await refresh(c);
    $("fields-status").textContent = t("extended");
  });
  $("lang").addEventListener("change", () => { drawnFor = null; });

  return draw;
})();

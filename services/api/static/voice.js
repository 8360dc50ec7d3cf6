// The phone in the console (clause 3.15, R12): on a call's appeal, the call — the number it
// came from (as the network gave it), the way the caller took through the voice menu, where the
// call stands — and, once the caller or the operator hung up, the button that ends the
// after-contact work (it ends the handling time, report row 19).
// Loaded after console.js and uses its globals (T, t, $, api, lang, v, convs, active, translate);
// console.js calls drawVoice(c) when it draws an appeal's panel. Plain DOM, text only.
"use strict";

Object.assign(T.kk, {
  vc_call: "Қоңырау", vc_from: "нөмірден", vc_hidden: "нөмір жасырын", vc_path: "Мәзірдегі жолы", vc_path_none: "мәзірді өткізбеді",
  vc_state_menu: "дауыстық мәзірде", vc_state_queued: "кезекте күтіп тұр", vc_state_answered: "сөйлесуде",
  vc_state_wrap_up: "қоңырау аяқталды, кейінгі жұмыс", vc_state_ended: "аяқталды", vc_state_abandoned: "кезекте тұтқаны қойды",
  vc_finish: "Кейінгі жұмысты аяқтау", vc_finished: "Аяқталды", vc_failed: "Аяқтау мүмкін болмады",
  vc_operator: "оператор", vc_language: "тіл",
});
Object.assign(T.ru, {
  vc_call: "Звонок", vc_from: "с номера", vc_hidden: "номер скрыт", vc_path: "Путь в меню", vc_path_none: "меню не проходил",
  vc_state_menu: "в голосовом меню", vc_state_queued: "ждёт в очереди", vc_state_answered: "идёт разговор",
  vc_state_wrap_up: "звонок завершён, постобработка", vc_state_ended: "завершён", vc_state_abandoned: "положил трубку в очереди",
  vc_finish: "Завершить постобработку", vc_finished: "Завершено", vc_failed: "Не удалось завершить",
  vc_operator: "оператор", vc_language: "язык",
});
Object.assign(T.en, {
  vc_call: "Call", vc_from: "from", vc_hidden: "number withheld", vc_path: "Menu path", vc_path_none: "did not use the menu",
  vc_state_menu: "in the voice menu", vc_state_queued: "waiting in the queue", vc_state_answered: "talking",
  vc_state_wrap_up: "call over, after-call work", vc_state_ended: "ended", vc_state_abandoned: "hung up in the queue",
  vc_finish: "Finish after-call work", vc_finished: "Finished", vc_failed: "Could not finish",
  vc_operator: "operator", vc_language: "language",
});
translate();

// The options the caller took, in order, from the call's menu steps on the appeal's timeline.
function menuPath(timeline) {
  const steps = [];
  for (const e of timeline || []) {
    if (e.kind !== "call.menu" || !e.data) continue;
    const d = e.data;
    if (d.led_to === "operator") steps.push(d.label || t("vc_operator"));
    else if (d.led_to === "language") steps.push(`${t("vc_language")}: ${v("lang", d.label)}`);
    else if (d.label && ["menu", "answer"].includes(d.led_to)) steps.push(d.label);
  }
  return steps;
}

window.drawVoice = function drawVoice(c) {
  const card = $("client-card");
  const old = card.querySelector(":scope > .vc-call");
  if (old) old.remove();
  const { appeal, client, timeline } = c.detail;
  const interactions = c.detail.interactions || [];
  if (appeal.channel !== "voice") return;
  const call = interactions.find((i) => i.channel === "voice" && i.direction === "inbound");
  if (!call) return;
  const box = document.createElement("div");
  box.className = "vc-call";
  const number = (client.identities || []).find((i) => i.channel === "voice");
  const head = document.createElement("div");
  head.textContent = `${t("vc_call")} ${number ? `${t("vc_from")} ${number.address}` : `(${t("vc_hidden")})`} · ${t("vc_state_" + call.state)}`;
  const path = document.createElement("div");
  const steps = menuPath(timeline);
  path.textContent = `${t("vc_path")}: ${steps.length ? steps.join(" › ") : t("vc_path_none")}`;
  box.append(head, path);
  if (call.state === "wrap_up") {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "secondary";
    b.textContent = t("vc_finish");
    const said = document.createElement("span");
    said.setAttribute("role", "status");
    b.addEventListener("click", async () => {
      b.disabled = true;
      const r = await api("POST", `/api/v1/interactions/${call.id}/end`);
      said.textContent = r.ok ? t("vc_finished") : t("vc_failed");
      if (!r.ok) b.disabled = false;
      else call.state = "ended";
    });
    box.append(b, said);
  }
  card.appendChild(box);
};

// Competence and parts (clause 3.8, R30) in the appeal's panel: the bodies competent for the
// appeal's topic come first in the redirect form and are proposed above it, one click selecting
// one; centre staff split a part off an appeal (its subject, text and, when another body is
// competent for it, its own topic), and the new part's number is shown; an appeal lists its parts
// (number, subject, status, body), each opened with a click, and a part links back to the appeal
// it came from. Loaded after console.js and uses its globals (T, t, $, api, cell, me, lang,
// convs, active, topics, openAppeal, refresh, loadMine, translate); console.js calls
// drawParts(c) when it draws an appeal's panel. Plain DOM, text only.
"use strict";

Object.assign(T.kk, {
  competent_bodies: "Құзыретті органдар", other_bodies: "Басқа органдар", proposed: "Ұсынылады:",
  split: "Бөлу", split_help: "Өтініштің бір бөлігін жеке өтініш етіп тіркеп, оны құзыретті органға бөлек жіберу.",
  part_subject: "Бөліктің мәні", part_text: "Бөліктің мәтіні", part_topic: "Бөліктің тақырыбы",
  with_body: "өтініш қазір осы органда", same_topic: "өтініштің тақырыбы", split_do: "Бөлікті бөліп тіркеу", split_done: "Бөлік тіркелді: № {n}",
  parts: "Өтініштің бөліктері", part_number: "Нөмірі", part_subject_h: "Мәні", part_body: "Орган",
  part_of: "№ {n} өтініштің бөлігі", part_of_other: "Басқа өтініштің бөлігі", split_error: "Бөлінбеді",
});
Object.assign(T.ru, {
  competent_bodies: "Компетентные органы", other_bodies: "Другие органы", proposed: "Предлагается:",
  split: "Разделить", split_help: "Выделить часть обращения в отдельное обращение, чтобы направить её в компетентный орган отдельно.",
  part_subject: "Предмет части", part_text: "Текст части", part_topic: "Тема части",
  with_body: "обращение сейчас в этом органе", same_topic: "тема обращения", split_do: "Выделить часть", split_done: "Часть зарегистрирована: № {n}",
  parts: "Части обращения", part_number: "Номер", part_subject_h: "Предмет", part_body: "Орган",
  part_of: "Часть обращения № {n}", part_of_other: "Часть другого обращения", split_error: "Не удалось разделить",
});
Object.assign(T.en, {
  competent_bodies: "Competent bodies", other_bodies: "Other bodies", proposed: "Proposed:",
  split: "Split", split_help: "Register a part of the appeal as an appeal of its own, to redirect it to its competent body separately.",
  part_subject: "Subject of the part", part_text: "Text of the part", part_topic: "Topic of the part",
  with_body: "the appeal is with this body now", same_topic: "the appeal's topic", split_do: "Split off the part", split_done: "Part registered: No. {n}",
  parts: "Parts of the appeal", part_number: "Number", part_subject_h: "Subject", part_body: "Body",
  part_of: "Part of appeal No. {n}", part_of_other: "Part of another appeal", split_error: "Could not split",
});
translate();

window.drawParts = (() => {
  const officer = () => Boolean(me) && me.role === "body_officer";
  const bodyLabel = (b) => (lang === "ru" ? b.name_ru : b.name_kk);
  const topicLabel = (x) => (lang === "ru" ? x.name_ru : lang === "en" ? x.name_en || x.name_ru : x.name_kk);
  const problem = (r) => (r && r.body && (r.body.detail || r.body.title)) || (r ? String(r.status) : "");
  const shown = (c) => c && c.id === active && convs.get(c.id) === c;

  // A link-like button that opens an appeal in its tab.
  function opener(label, id) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "link";
    b.textContent = label;
    b.dataset.appeal = id;
    b.addEventListener("click", () => openAppeal(id));
    return b;
  }

  // "… {n} …" with the number as an element.
  function sentence(key, el) {
    const [before, after] = t(key).split("{n}");
    return [before, el, after || ""].filter((x) => x !== "");
  }

  // Bodies (inactive ones too) by id, for their names in the console's language.
  const bodies = new Map();
  let bodiesRead = null;
  const readBodies = () => (bodiesRead ||= api("GET", "/api/v1/bodies").then((r) => {
    for (const x of (r.ok && r.body) || []) bodies.set(x.id, x);
  }).catch(() => { bodiesRead = null; }));

  // --- The redirect form: competent bodies first, and proposed above it. ---

  const sel = $("redirect-body");
  // Every active body as the console loaded it into the form, in its order: [{ id, name }]; shown
  // in the console's language as it changes.
  let all = [];
  let grouping = false;
  const remember = () => {
    all = [...sel.querySelectorAll("option")].filter((o) => o.value).map((o) => ({ id: o.value, name: o.textContent }));
  };
  remember();
  // The console (re)fills the form on sign-in; keep the competent group over it.
  const watch = new MutationObserver(() => {
    if (grouping) return;
    remember();
    const c = convs.get(active);
    group(c && c.competentOf === c.detail ? c.competent : []);
  });
  watch.observe(sel, { childList: true, subtree: true });

  function group(competent) {
    grouping = true;
    const keep = sel.value;
    const ids = new Set(competent.map((b) => b.id));
    const name = (b) => (bodies.has(b.id) ? bodyLabel(bodies.get(b.id)) : b.name || bodyLabel(b));
    sel.replaceChildren(new Option("", ""));
    if (competent.length) {
      const mine = document.createElement("optgroup");
      mine.label = t("competent_bodies");
      mine.dataset.group = "competent";
      for (const b of competent) mine.appendChild(new Option(name(b), b.id));
      const rest = document.createElement("optgroup");
      rest.label = t("other_bodies");
      rest.dataset.group = "other";
      for (const b of all) if (!ids.has(b.id)) rest.appendChild(new Option(name(b), b.id));
      sel.appendChild(mine);
      if (rest.children.length) sel.appendChild(rest);
    } else {
      for (const b of all) sel.appendChild(new Option(name(b), b.id));
    }
    sel.value = keep;
    if (sel.value !== keep) sel.value = "";
    watch.takeRecords();
    grouping = false;
  }

  function propose(c, competent) {
    const line = $("redirect-proposed");
    line.replaceChildren();
    if (competent.length) {
      line.append(t("proposed"), " ");
      competent.forEach((b, i) => {
        if (i) line.append(", ");
        const pick = document.createElement("button");
        pick.type = "button";
        pick.className = "link";
        pick.dataset.body = b.id;
        pick.textContent = bodyLabel(b);
        if (c.detail.appeal.body_id === b.id) {
          pick.append(" ✓");
          pick.title = t("with_body");
        }
        pick.addEventListener("click", () => {
          sel.value = b.id;
          sel.dispatchEvent(new Event("change"));
          sel.focus();
        });
        line.appendChild(pick);
      });
    }
    line.hidden = !competent.length;
    group(competent);
  }

  // The competent bodies of the appeal's topic, read once per load of the appeal.
  async function competence(c) {
    if (officer()) return;
    if (c.competentOf === c.detail) { propose(c, c.competent); return; }
    propose(c, []);
    const detail = c.detail;
    const [r] = await Promise.all([api("GET", `/api/v1/appeals/${c.id}/competent-bodies`).catch(() => null), readBodies()]);
    if (c.detail !== detail) return;
    c.competent = (r && r.ok && r.body) || [];
    c.competentOf = detail;
    if (shown(c)) propose(c, c.competent);
  }

  // --- Parts and the appeal a part came from. ---

  // The names of the parts' bodies: read when first needed, again for a body added since (once).
  const asked = new Set();
  function bodyName(id, redraw) {
    if (!id) return "—";
    const b = bodies.get(id);
    if (b) return bodyLabel(b);
    if (!asked.has(id)) {
      asked.add(id);
      api("GET", "/api/v1/bodies").then((r) => {
        for (const x of (r.ok && r.body) || []) bodies.set(x.id, x);
        if (bodies.has(id)) redraw();
      }).catch(() => {});
    }
    return "…";
  }

  function drawList(c) {
    const parts = c.detail.parts || [];
    const body = $("parts-list").querySelector("tbody");
    body.replaceChildren();
    for (const p of parts) {
      const row = document.createElement("tr");
      row.dataset.id = p.id;
      // A body's officer sees the other parts but may not open them: they went elsewhere.
      if (officer()) cell(row, p.number);
      else cell(row, "").appendChild(opener(p.number, p.id));
      cell(row, p.subject);
      cell(row, v("status", p.status)).dataset.status = p.status;
      cell(row, bodyName(p.body_id, () => { if (shown(c)) drawList(c); }));
      body.appendChild(row);
    }
    $("conv-parts").hidden = parts.length === 0;
  }

  // The number of the appeal a part came from: from its tab when open, else from the client's
  // appeals (a list, not an audited read of the appeal); null when out of the caller's sight (a
  // body's officer sees only their body's appeals).
  const numbers = new Map();
  async function parentNumber(c) {
    const id = c.detail.appeal.parent_id;
    const open = convs.get(id);
    if (open && open.number && open.number !== "…") return open.number;
    if (numbers.has(id)) return numbers.get(id);
    const r = await api("GET", `/api/v1/appeals?client_id=${c.detail.client.id}&limit=500`).catch(() => null);
    for (const a of (r && r.ok && r.body && r.body.items) || []) numbers.set(a.id, a.number);
    return numbers.get(id) || null;
  }

  async function drawParent(c) {
    const line = $("conv-parent");
    const id = c.detail.appeal.parent_id;
    line.hidden = !id;
    line.replaceChildren();
    if (!id) return;
    delete line.dataset.parent;
    const number = await parentNumber(c);
    if (!shown(c) || c.detail.appeal.parent_id !== id) return;
    if (number === null) line.textContent = t("part_of_other");
    else line.replaceChildren(...sentence("part_of", officer() ? document.createTextNode(number) : opener(number, id)));
    line.dataset.parent = id;
  }

  // --- Splitting. ---

  function drawSplit(c) {
    const a = c.detail.appeal;
    const box = $("split-box");
    const can = !officer() && !a.parent_id && a.status !== "answered" && a.status !== "closed";
    box.hidden = !can;
    const ts = $("split-topic");
    let keep = ts.value;
    if (box.dataset.appeal !== c.id) {
      // Another appeal: the last one keeps its draft, this one gets its own back; nothing said
      // about the last one stays.
      const last = convs.get(box.dataset.appeal);
      if (last) last.splitDraft = { subject: $("split-subject").value, text: $("split-text").value, topic: ts.value };
      const draft = c.splitDraft || { subject: "", text: "", topic: "" };
      box.dataset.appeal = c.id;
      $("split-subject").value = draft.subject;
      $("split-text").value = draft.text;
      keep = draft.topic;
      $("split-error").textContent = "";
      $("split-status").replaceChildren();
    }
    ts.replaceChildren(new Option(t("same_topic"), ""));
    for (const x of [...topics.values()].filter((x) => x.active).sort((x, y) => topicLabel(x).localeCompare(topicLabel(y), lang))) {
      ts.appendChild(new Option(topicLabel(x), x.id));
    }
    ts.value = keep;
    if (ts.value !== keep) ts.value = "";
  }

  $("split").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const c = convs.get(active);
    if (!c) return;
    const button = $("split").querySelector("button[type=submit]");
    $("split-error").textContent = "";
    $("split-status").replaceChildren();
    button.disabled = true;
    let r = null;
    try {
      r = await api("POST", `/api/v1/appeals/${c.id}/split`, {
        subject: $("split-subject").value, text: $("split-text").value, topic_id: $("split-topic").value || null,
      });
    } catch (e) { r = null; }
    button.disabled = false;
    if (r && r.ok) {
      $("split").reset();
      $("split-status").replaceChildren(...sentence("split_done", opener(r.body.number, r.body.id)));
      $("split-status").dataset.part = r.body.id;
      await refresh(c);
    } else {
      $("split-error").textContent = `${t("split_error")}: ${r ? problem(r) : "—"}`;
    }
  });

  $("lang").addEventListener("change", () => {
    const c = convs.get(active);
    if (c && c.detail) drawParts(c);
  });

  function drawParts(c) {
    if (!c || !c.detail || !shown(c)) return;
    drawList(c);
    drawParent(c);
    drawSplit(c);
    if (officer()) { $("redirect-proposed").hidden = true; return; }
    competence(c);
  }
  return drawParts;
})();

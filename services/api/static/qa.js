// Quality assurance (R26–R28, KPI 2). Supervisors and admins draw a random sample of a period's
// answered contacts per operator (GET /api/v1/qa/sample), open a contact's appeal beside a review
// form, score the five criteria of the scorecard (POST /api/v1/qa/reviews) and read the answer:
// the weighted total and whether the review counts as accurate for KPI 2. The period's reviews are
// listed by operator; a contact two or more supervisors reviewed is compared side by side with
// the per-criterion differences (GET /api/v1/qa/calibration). Operators read their own reviews.
// Admins edit the scorecard (GET/PUT /api/v1/settings/qa-scorecard); every check is the server's,
// its problem+json `detail` shown inline.
//
// Loaded after console.js, oversight.js and dashboard.js and uses their globals (T, t, $, api,
// cell, me, lang, token, translate, openAppeal, convs, lastLive; almatyToday, addDays,
// almatyMidnight); it notices sign-in and sign-out by watching #app, so console.js needs no hook.
// Everything else lives inside the function below. Plain DOM, text only (never innerHTML).
"use strict";

Object.assign(T.kk, {
  qa_open: "Сапа", qa_mine_open: "Менің бағаларым", qa_title: "Қызмет сапасын бақылау",
  qa_title_mine: "Менің жұмысымның бағалары", qa_sample: "Бағалауға іріктеме",
  qa_sample_note: "Кезеңде жауап берілген, әлі бағаланбаған байланыстар: әр оператордан кездейсоқ {n} байланысқа дейін. Әр көрсеткен сайын қайта іріктеледі.",
  qa_sample_empty: "Бұл кезеңде бағаланбаған байланыс қалмады.", qa_own: "(сіз: бұларды басқа супервизор бағалайды)",
  qa_contacts: "{n} байланыс", qa_answered_at: "Жауап берілді", qa_review: "Бағалау", qa_review_too: "Мен де бағалаймын",
  qa_reviews: "Бағалар", qa_all_operators: "Барлық операторлар", qa_when: "Бағаланды", qa_reviewer: "Бағалаған",
  qa_c_accuracy: "Дәлдік", qa_c_completeness: "Толықтық", qa_c_procedure: "Рәсімнің сақталуы",
  qa_c_courtesy: "Сыпайылық", qa_c_data_protection: "Дербес деректерді қорғау", qa_total: "Жалпы балл",
  qa_accurate: "Дәл әрі толық (KPI 2)", qa_yes: "✓ иә", qa_no: "✗ жоқ", qa_comment: "Түсініктеме",
  qa_reviews_empty: "Бұл кезеңде баға жоқ.", qa_calibration: "Бағаларды салыстыру (калибрлеу)",
  qa_calibrate: "Салыстыру ({n})", qa_cal_what: "{appeal} өтініші · {operator} · {channel} · {n} баға",
  qa_criterion: "Критерий", qa_weight: "Салмағы, %", qa_difference: "Айырма (ең жоғары − ең төмен)",
  qa_agree: "бірдей", qa_disagree: "әртүрлі", qa_cal_note: "{n} және одан көп балл айырмасы бөлектелген.",
  qa_cal_agree: "KPI 2 бойынша қорытындылар бірдей.",
  qa_cal_disagree: "KPI 2 бойынша қорытындылар әртүрлі: бағалаушылар шкаланы бірдей түсінуі керек.",
  qa_cal_one: "Бұл байланыстың бір ғана бағасы бар: салыстыру үшін екі не одан көп баға керек.",
  qa_scorecard: "Бағалау шкаласы",
  qa_card_help: "Әр критерийдің жалпы балдағы салмағы, %: қосындысы 100 болуы тиіс. Дәлдік, толықтық және рәсім әрқайсысы өту балына жетсе, баға KPI 2 бойынша дәл саналады.",
  qa_card_readonly: "Шкаланы әкімші өзгертеді.", qa_weights_sum: "Салмақтар қосындысы", qa_pass_mark: "Өту балы",
  qa_per_operator: "Әр оператордан іріктеме", qa_save_card: "Шкаланы сақтау", qa_card_saved: "Шкала сақталды",
  qa_save_error: "Сақталмады", qa_review_h: "Байланысты бағалау",
  qa_review_help: "Әр критерийге 0–100 балл. KPI 2 бойынша дәл: дәлдік, толықтық және рәсім әрқайсысы кемінде {pass}.",
  qa_weight_of: "салмағы {w} %", qa_preview: "Салмақтар бойынша жалпы балл", qa_submit: "Бағаны жіберу",
  qa_close: "Жабу", qa_recorded: "Баға жазылды: жалпы балл {total}, {verdict}.",
  qa_verdict_yes: "KPI 2 бойынша дәл", qa_verdict_no: "KPI 2 бойынша дәл емес",
  qa_load_error: "Деректер алынбады", qa_review_error: "Баға қабылданбады",
  qa_ch_voice: "қоңырау", qa_ch_web_chat: "веб-чат", qa_ch_email: "e-mail", qa_ch_telegram: "Telegram",
  qa_ch_in_person: "жеке қабылдау",
});
Object.assign(T.ru, {
  qa_open: "Качество", qa_mine_open: "Мои оценки", qa_title: "Контроль качества обслуживания",
  qa_title_mine: "Оценки моей работы", qa_sample: "Выборка для оценки",
  qa_sample_note: "Отвеченные за период и ещё не оценённые контакты: до {n} случайно выбранных у каждого оператора. При каждом показе — новая выборка.",
  qa_sample_empty: "За этот период неоценённых контактов не осталось.", qa_own: "(вы: их оценивает другой супервизор)",
  qa_contacts: "контактов: {n}", qa_answered_at: "Отвечено", qa_review: "Оценить", qa_review_too: "Оценить тоже",
  qa_reviews: "Оценки", qa_all_operators: "Все операторы", qa_when: "Оценено", qa_reviewer: "Оценщик",
  qa_c_accuracy: "Точность", qa_c_completeness: "Полнота", qa_c_procedure: "Соблюдение процедуры",
  qa_c_courtesy: "Вежливость", qa_c_data_protection: "Защита персональных данных", qa_total: "Итоговый балл",
  qa_accurate: "Точно и полно (KPI 2)", qa_yes: "✓ да", qa_no: "✗ нет", qa_comment: "Комментарий",
  qa_reviews_empty: "За этот период оценок нет.", qa_calibration: "Калибровка оценок",
  qa_calibrate: "Калибровка ({n})", qa_cal_what: "Обращение {appeal} · {operator} · {channel} · оценок: {n}",
  qa_criterion: "Критерий", qa_weight: "Вес, %", qa_difference: "Разница (макс. − мин.)",
  qa_agree: "совпадают", qa_disagree: "расходятся", qa_cal_note: "Выделены расхождения от {n} баллов.",
  qa_cal_agree: "Выводы по KPI 2 совпадают.",
  qa_cal_disagree: "Выводы по KPI 2 расходятся: оценщикам стоит сверить понимание шкалы.",
  qa_cal_one: "У этого контакта одна оценка: для калибровки нужны две или больше.",
  qa_scorecard: "Оценочная шкала",
  qa_card_help: "Вес каждого критерия в итоговом балле, %: в сумме 100. Оценка считается точной для KPI 2, если точность, полнота и соблюдение процедуры каждая не ниже проходного балла.",
  qa_card_readonly: "Шкалу меняет администратор.", qa_weights_sum: "Сумма весов", qa_pass_mark: "Проходной балл",
  qa_per_operator: "Выборка на оператора", qa_save_card: "Сохранить шкалу", qa_card_saved: "Шкала сохранена",
  qa_save_error: "Не сохранено", qa_review_h: "Оценка контакта",
  qa_review_help: "Каждый критерий — от 0 до 100 баллов. Точно для KPI 2: точность, полнота и процедура — каждая не ниже {pass}.",
  qa_weight_of: "вес {w} %", qa_preview: "Итог по весам", qa_submit: "Отправить оценку",
  qa_close: "Закрыть", qa_recorded: "Оценка записана: итоговый балл {total}, {verdict}.",
  qa_verdict_yes: "точно для KPI 2", qa_verdict_no: "не точно для KPI 2",
  qa_load_error: "Не удалось получить данные", qa_review_error: "Оценка не принята",
  qa_ch_voice: "звонок", qa_ch_web_chat: "веб-чат", qa_ch_email: "эл. почта", qa_ch_telegram: "Telegram",
  qa_ch_in_person: "личный приём",
});
Object.assign(T.en, {
  qa_open: "QA", qa_mine_open: "My reviews", qa_title: "Quality assurance",
  qa_title_mine: "Reviews of my work", qa_sample: "Sample to review",
  qa_sample_note: "Contacts answered in the period and not reviewed yet: up to {n} of each operator, drawn at random. Each showing draws anew.",
  qa_sample_empty: "No answered contacts left to review in this period.", qa_own: "(you: another supervisor reviews these)",
  qa_contacts: "{n} contacts", qa_answered_at: "Answered", qa_review: "Review", qa_review_too: "Review too",
  qa_reviews: "Reviews", qa_all_operators: "All operators", qa_when: "Reviewed", qa_reviewer: "Reviewer",
  qa_c_accuracy: "Accuracy", qa_c_completeness: "Completeness", qa_c_procedure: "Procedure",
  qa_c_courtesy: "Courtesy", qa_c_data_protection: "Data protection", qa_total: "Total",
  qa_accurate: "Accurate (KPI 2)", qa_yes: "✓ yes", qa_no: "✗ no", qa_comment: "Comment",
  qa_reviews_empty: "No reviews in this period.", qa_calibration: "Calibration",
  qa_calibrate: "Calibration ({n})", qa_cal_what: "Appeal {appeal} · {operator} · {channel} · {n} reviews",
  qa_criterion: "Criterion", qa_weight: "Weight, %", qa_difference: "Difference (highest − lowest)",
  qa_agree: "agree", qa_disagree: "disagree", qa_cal_note: "Differences of {n} points or more are highlighted.",
  qa_cal_agree: "The KPI 2 verdicts agree.",
  qa_cal_disagree: "The KPI 2 verdicts disagree: the reviewers should align on the scorecard.",
  qa_cal_one: "This contact has one review: calibration needs two or more.",
  qa_scorecard: "Scorecard",
  qa_card_help: "The weight of each criterion in the total, %: they sum to 100. A review counts as accurate for KPI 2 when accuracy, completeness and procedure each reach the pass mark.",
  qa_card_readonly: "An administrator changes the scorecard.", qa_weights_sum: "Sum of the weights", qa_pass_mark: "Pass mark",
  qa_per_operator: "Sample per operator", qa_save_card: "Save the scorecard", qa_card_saved: "Scorecard saved",
  qa_save_error: "Not saved", qa_review_h: "Review of the contact",
  qa_review_help: "Score each criterion 0–100. Accurate for KPI 2: accuracy, completeness and procedure each at least {pass}.",
  qa_weight_of: "weight {w} %", qa_preview: "Total by the weights", qa_submit: "Submit the review",
  qa_close: "Close", qa_recorded: "Review recorded: total {total}, {verdict}.",
  qa_verdict_yes: "accurate for KPI 2", qa_verdict_no: "not accurate for KPI 2",
  qa_load_error: "Could not load", qa_review_error: "Review refused",
  qa_ch_voice: "call", qa_ch_web_chat: "web chat", qa_ch_email: "e-mail", qa_ch_telegram: "Telegram",
  qa_ch_in_person: "in person",
});
translate();

(() => {
  const CRITERIA = ["accuracy", "completeness", "procedure", "courtesy", "data_protection"];
  // A calibration difference this large (points) is highlighted.
  const LARGE = 15;
  const oversees = () => Boolean(me) && (me.role === "supervisor" || me.role === "admin");
  const isAdmin = () => Boolean(me) && me.role === "admin";
  const isOperator = () => Boolean(me) && me.role === "operator";
  const problem = (r) => (r && r.body && (r.body.detail || r.body.title)) || (r ? String(r.status) : "");
  const fill = (key, vars) => Object.entries(vars).reduce((s, [k, v]) => s.split(`{${k}}`).join(String(v)), t(key));
  const num = (v) => (v == null ? "—" : Number(v).toLocaleString(lang, { maximumFractionDigits: 2 }));
  const stamp = (iso) => (iso ? new Date(iso).toLocaleString(lang, { timeZone: "Asia/Almaty", dateStyle: "short", timeStyle: "short" }) : "—");
  const channelLabel = (c) => (T.en["qa_ch_" + c] ? t("qa_ch_" + c) : c);
  // An appeal open in a tab by its number; another by the end of its id (reading each one's
  // number would be an audited read of its client for every row).
  const appealLabel = (id) => {
    const c = typeof convs !== "undefined" && convs.get(id);
    return c && c.number && c.number !== "…" ? c.number : "…" + id.slice(-8);
  };

  const qa = {
    shown: false, card: null, sample: null, reviews: null, calibration: null, reviewing: null,
    names: new Map(), loading: 0,
  };

  function nameOf(id) {
    if (me && id === me.id) return me.display_name;
    return qa.names.get(id) || "…" + id.slice(-8);
  }
  // Names: the operators and supervisors of the live view every centre socket gets, the names
  // that come with the sample and, for an admin, every staff account.
  async function readNames() {
    for (const o of (typeof lastLive !== "undefined" && lastLive && lastLive.operators) || []) qa.names.set(o.staff_id, o.display_name);
    if (isAdmin()) {
      const r = await api("GET", "/api/v1/staff");
      for (const x of (r.ok && r.body) || []) qa.names.set(x.id, x.display_name);
    }
  }

  function link(text, onClick) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "link";
    b.textContent = text;
    b.addEventListener("click", onClick);
    return b;
  }

  function period() {
    const from = $("qa-from").value;
    const to = $("qa-to").value;
    if (!from || !to) return null;
    return { from: almatyMidnight(from).toISOString(), to: almatyMidnight(addDays(to, 1)).toISOString() };
  }

  // ------------------------------------------------------------------ the sample ---------------

  function drawSample() {
    const box = $("qa-sample");
    box.replaceChildren();
    const s = qa.sample;
    $("qa-sample-note").textContent = s ? fill("qa_sample_note", { n: s.per_operator }) : "";
    const groups = s ? s.operators.filter((o) => o.interactions.length) : [];
    $("qa-sample-empty").hidden = !s || groups.length !== 0;
    for (const o of groups) {
      const div = document.createElement("div");
      div.className = "qa-group";
      div.dataset.operator = o.operator_id;
      const h = document.createElement("h4");
      h.id = "qa-op-" + o.operator_id;
      h.textContent = `${o.name || nameOf(o.operator_id)} · ${fill("qa_contacts", { n: o.interactions.length })}`;
      if (me && o.operator_id === me.id) {
        const you = document.createElement("span");
        you.className = "you";
        you.textContent = " " + t("qa_own");
        h.appendChild(you);
      }
      const table = document.createElement("table");
      table.className = "qa-table";
      table.setAttribute("aria-labelledby", h.id);
      const head = table.createTHead().insertRow();
      for (const key of ["channel", "qa_answered_at", "appeal", ""]) {
        const th = document.createElement("th");
        th.textContent = key ? t(key) : "";
        head.appendChild(th);
      }
      const body = table.createTBody();
      for (const it of o.interactions) {
        const row = body.insertRow();
        row.dataset.interaction = it.interaction_id;
        row.dataset.appeal = it.appeal_id;
        cell(row, channelLabel(it.channel));
        cell(row, stamp(it.answered_at)).className = "when";
        cell(row, it.appeal_number || appealLabel(it.appeal_id));
        const b = document.createElement("button");
        b.type = "button";
        b.textContent = t("qa_review");
        b.addEventListener("click", () => openReview({
          interaction_id: it.interaction_id, appeal_id: it.appeal_id, appeal_number: it.appeal_number, channel: it.channel,
          answered_at: it.answered_at, operator_id: o.operator_id, name: o.name,
        }, b));
        cell(row, "").appendChild(b);
      }
      div.append(h, table);
      box.appendChild(div);
    }
  }

  async function loadSample(p) {
    const r = await api("GET", "/api/v1/qa/sample?" + new URLSearchParams(p));
    if (!r.ok) { qa.sample = null; drawSample(); return `${t("qa_load_error")}: ${problem(r)}`; }
    qa.sample = r.body;
    for (const o of r.body.operators) if (o.name) qa.names.set(o.operator_id, o.name);
    drawSample();
    return null;
  }

  // ------------------------------------------------------------------ the review form ----------

  function drawCriteria() {
    const box = $("qa-criteria");
    const keep = Object.fromEntries(CRITERIA.map((c) => [c, $("qa-score-" + c)?.value ?? ""]));
    box.replaceChildren();
    for (const c of CRITERIA) {
      const row = document.createElement("div");
      row.className = "qa-criterion";
      const label = document.createElement("label");
      label.className = "name";
      label.htmlFor = "qa-score-" + c;
      label.textContent = t("qa_c_" + c);
      if (qa.card) {
        const w = document.createElement("small");
        w.className = "weight";
        w.textContent = fill("qa_weight_of", { w: qa.card.weights[c] });
        label.appendChild(w);
      }
      const range = document.createElement("input");
      range.type = "range";
      range.min = "0";
      range.max = "100";
      range.step = "5";
      range.tabIndex = -1;
      range.setAttribute("aria-hidden", "true");
      const input = document.createElement("input");
      input.type = "number";
      input.id = "qa-score-" + c;
      input.min = "0";
      input.max = "100";
      input.step = "1";
      input.inputMode = "numeric";
      input.value = keep[c];
      range.value = keep[c] === "" ? "50" : keep[c];
      range.addEventListener("input", () => { input.value = range.value; input.removeAttribute("aria-invalid"); preview(); });
      input.addEventListener("input", () => { if (input.value !== "") range.value = input.value; input.removeAttribute("aria-invalid"); preview(); });
      row.append(label, range, input);
      box.appendChild(row);
    }
    $("qa-review-help").textContent = qa.card ? fill("qa_review_help", { pass: qa.card.pass_mark }) : "";
    preview();
  }

  // The total the weights give, as the server will compute it, once every criterion is scored.
  function preview() {
    const out = $("qa-preview");
    const vals = CRITERIA.map((c) => $("qa-score-" + c)?.value ?? "");
    const bad = (v) => v === "" || !Number.isInteger(Number(v)) || Number(v) < 0 || Number(v) > 100;
    if (!qa.card || vals.some(bad)) { out.textContent = "—"; return; }
    const sum = CRITERIA.reduce((s, c) => s + qa.card.weights[c], 0) || 1;
    const total = CRITERIA.reduce((s, c, i) => s + Number(vals[i]) * qa.card.weights[c], 0) / sum;
    out.textContent = num(total);
  }

  function drawReviewHead() {
    const x = qa.reviewing;
    if (!x) return;
    $("qa-review-what").textContent = [
      x.name || nameOf(x.operator_id), channelLabel(x.channel), x.answered_at ? stamp(x.answered_at) : null,
      `${t("appeal")} ${x.appeal_number || appealLabel(x.appeal_id)}`,
    ].filter(Boolean).join(" · ");
  }

  async function openReview(item, opener) {
    qa.reviewing = Object.assign({ opener }, item);
    $("qa-review").dataset.interaction = item.interaction_id;
    $("qa-review-form").reset();
    for (const c of CRITERIA) $("qa-score-" + c)?.removeAttribute("aria-invalid");
    $("qa-review-error").textContent = "";
    $("qa-review-result").textContent = "";
    $("qa-submit").disabled = false;
    drawCriteria();
    drawReviewHead();
    $("qa-review").hidden = false;
    document.body.classList.add("qa-reviewing");
    // The appeal in the conversation panel, beside the form: what the operator was told.
    try { await openAppeal(item.appeal_id); } catch (e) { /* the form works without it */ }
    if (qa.reviewing !== null && qa.reviewing.interaction_id === item.interaction_id) {
      // The appeal's number is known now: shown wherever the appeal is listed.
      drawReviewHead();
      drawSample();
      drawReviews();
      $("conversation").scrollIntoView({ block: "start" });
      $("qa-score-accuracy").focus();
    }
  }

  function closeReview() {
    const opener = qa.reviewing && qa.reviewing.opener;
    qa.reviewing = null;
    $("qa-review").hidden = true;
    document.body.classList.remove("qa-reviewing");
    const id = $("qa-review").dataset.interaction;
    // The button that opened the form, or its row's after a redraw.
    const again = opener && opener.isConnected ? opener
      : id && (document.querySelector(`#qa-sample tr[data-interaction="${id}"] button`) ||
               document.querySelector(`#qa-reviews tr[data-interaction="${id}"] button`));
    delete $("qa-review").dataset.interaction;
    if (again) again.focus();
    else if (qa.shown) $("qa").focus();
  }

  async function submitReview() {
    const x = qa.reviewing;
    if (!x) return;
    $("qa-review-error").textContent = "";
    $("qa-review-result").textContent = "";
    const scores = {};
    for (const c of CRITERIA) {
      const el = $("qa-score-" + c);
      el.removeAttribute("aria-invalid");
      // Sent as typed: the server says what is wrong (out of range, not scored).
      if (el.value.trim() !== "") scores[c] = Number(el.value);
    }
    const comment = $("qa-comment").value.trim();
    $("qa-submit").disabled = true;
    try {
      const r = await api("POST", "/api/v1/qa/reviews", { interaction_id: x.interaction_id, scores, comment: comment || null });
      if (!r.ok) {
        const why = problem(r);
        $("qa-review-error").textContent = `${t("qa_review_error")}: ${why}`;
        // Mark the criteria the server named.
        for (const c of CRITERIA) if (new RegExp(`\\b${c}\\b`).test(why)) $("qa-score-" + c).setAttribute("aria-invalid", "true");
        $("qa-submit").disabled = false;
        return;
      }
      const v = r.body;
      const res = $("qa-review-result");
      res.dataset.accurate = String(v.accurate);
      res.className = "mark";
      res.textContent = fill("qa_recorded", { total: num(v.total), verdict: t(v.accurate ? "qa_verdict_yes" : "qa_verdict_no") });
      // Reviewed contacts leave the sample.
      if (qa.sample) {
        for (const o of qa.sample.operators) o.interactions = o.interactions.filter((i) => i.interaction_id !== x.interaction_id);
        drawSample();
      }
      const p = period();
      if (p) { const err = await loadReviews(p); if (err) $("qa-error").textContent = err; }
    } catch (e) {
      $("qa-submit").disabled = false;
      if (token) $("qa-review-error").textContent = t("qa_review_error");
    }
  }

  // ------------------------------------------------------------------ the reviews --------------

  function fillOperatorFilter() {
    const sel = $("qa-operator");
    const keep = sel.value;
    const ids = new Set();
    for (const o of (qa.sample && qa.sample.operators) || []) ids.add(o.operator_id);
    for (const r of qa.reviews || []) ids.add(r.operator_id);
    if (keep) ids.add(keep);
    for (const o of (typeof lastLive !== "undefined" && lastLive && lastLive.operators) || []) ids.add(o.staff_id);
    const all = new Option(t("qa_all_operators"), "");
    all.dataset.t = "qa_all_operators";
    sel.replaceChildren(all);
    for (const id of [...ids].sort((a, b) => nameOf(a).localeCompare(nameOf(b), lang))) sel.appendChild(new Option(nameOf(id), id));
    sel.value = keep;
  }

  function drawReviews() {
    const list = qa.reviews;
    const body = $("qa-reviews").querySelector("tbody");
    body.replaceChildren();
    $("qa-reviews").hidden = !list || list.length === 0;
    $("qa-reviews-empty").hidden = !list || list.length !== 0;
    const oversight = oversees();
    document.querySelectorAll("#qa-reviews .qa-not-mine").forEach((e) => { e.hidden = !oversight; });
    if (!list) return;
    // Per contact: how many reviews, and whether this supervisor gave one.
    const count = new Map();
    const mine = new Set();
    for (const r of list) {
      count.set(r.interaction_id, (count.get(r.interaction_id) || 0) + 1);
      if (me && r.reviewer_id === me.id) mine.add(r.interaction_id);
    }
    for (const r of [...list].reverse()) {
      const row = body.insertRow();
      row.dataset.review = r.id;
      row.dataset.interaction = r.interaction_id;
      row.dataset.operator = r.operator_id;
      cell(row, stamp(r.created_at)).className = "when";
      if (oversight) cell(row, nameOf(r.operator_id));
      cell(row, channelLabel(r.channel));
      cell(row, "").appendChild(link(appealLabel(r.appeal_id), () => openAppeal(r.appeal_id)));
      cell(row, nameOf(r.reviewer_id));
      for (const c of CRITERIA) {
        const td = cell(row, r.scores[c]);
        td.className = "num";
        td.dataset.criterion = c;
      }
      cell(row, num(r.total)).className = "num total";
      const mark = cell(row, t(r.accurate ? "qa_yes" : "qa_no"));
      mark.className = "mark";
      mark.dataset.accurate = String(r.accurate);
      cell(row, r.comment || "").className = "comment";
      if (!oversight) continue;
      const acts = cell(row, "");
      acts.className = "acts";
      const n = count.get(r.interaction_id);
      if (n >= 2) acts.appendChild(link(fill("qa_calibrate", { n }), () => showCalibration(r.interaction_id)));
      // A second opinion on a contact this supervisor has not reviewed, and not of their own.
      if (!mine.has(r.interaction_id) && me && r.operator_id !== me.id) {
        acts.appendChild(link(t("qa_review_too"), (ev) => openReview({
          interaction_id: r.interaction_id, appeal_id: r.appeal_id, channel: r.channel, operator_id: r.operator_id,
        }, ev.currentTarget)));
      }
    }
  }

  async function loadReviews(p) {
    const q = new URLSearchParams(p);
    if (oversees() && $("qa-operator").value) q.set("operator_id", $("qa-operator").value);
    const r = await api("GET", "/api/v1/qa/reviews?" + q);
    if (!r.ok) { qa.reviews = null; drawReviews(); return `${t("qa_load_error")}: ${problem(r)}`; }
    qa.reviews = r.body;
    drawReviews();
    if (oversees()) fillOperatorFilter();
    return null;
  }

  // ------------------------------------------------------------------ calibration --------------

  function drawCalibration() {
    const c = qa.calibration;
    $("qa-calibration").hidden = !c;
    if (!c) return;
    const reviews = c.reviews;
    const first = reviews[0];
    $("qa-cal-what").textContent = first
      ? fill("qa_cal_what", { appeal: appealLabel(first.appeal_id), operator: nameOf(first.operator_id), channel: channelLabel(first.channel), n: reviews.length })
      : "";
    const table = $("qa-cal-table");
    table.dataset.interaction = c.interaction_id;
    const head = table.querySelector("thead tr");
    head.replaceChildren();
    const th = (text, cls) => {
      const x = document.createElement("th");
      x.textContent = text;
      if (cls) x.className = cls;
      head.appendChild(x);
      return x;
    };
    th(t("qa_criterion"));
    th(t("qa_weight"), "num");
    for (const r of reviews) {
      const x = th(nameOf(r.reviewer_id), "num");
      x.dataset.reviewer = r.reviewer_id;
      const when = document.createElement("div");
      when.className = "muted";
      when.textContent = stamp(r.created_at);
      x.appendChild(when);
    }
    th(t("qa_difference"), "num");
    const body = table.querySelector("tbody");
    body.replaceChildren();
    const row = (key, label, weight, values, diff, large) => {
      const tr = body.insertRow();
      tr.dataset.row = key;
      tr.dataset.large = String(Boolean(large));
      const h = document.createElement("th");
      h.scope = "row";
      h.textContent = label;
      tr.appendChild(h);
      cell(tr, weight).className = "num";
      for (const v of values) cell(tr, v).className = "num";
      cell(tr, diff).className = "num diff";
      return tr;
    };
    for (const k of CRITERIA) {
      const d = c.differences[k];
      row(k, t("qa_c_" + k), qa.card ? qa.card.weights[k] : null, reviews.map((r) => r.scores[k]), d, d != null && d >= LARGE);
    }
    row("total", t("qa_total"), 100, reviews.map((r) => num(r.total)), num(c.total_difference),
      c.total_difference != null && c.total_difference >= LARGE);
    const acc = row("accurate", t("qa_accurate"), "", reviews.map((r) => t(r.accurate ? "qa_yes" : "qa_no")),
      t(c.accurate_agreed ? "qa_agree" : "qa_disagree"), !c.accurate_agreed);
    [...acc.cells].slice(2, 2 + reviews.length).forEach((td, i) => { td.classList.add("mark"); td.dataset.accurate = String(reviews[i].accurate); });
    const com = row("comment", t("qa_comment"), "", reviews.map((r) => r.comment || ""), "", false);
    [...com.cells].slice(2, 2 + reviews.length).forEach((td) => { td.className = "comment"; });
    $("qa-cal-verdict").textContent = reviews.length < 2 ? t("qa_cal_one") : t(c.accurate_agreed ? "qa_cal_agree" : "qa_cal_disagree");
    $("qa-cal-verdict").className = reviews.length >= 2 && !c.accurate_agreed ? "error" : "";
    $("qa-cal-note").textContent = fill("qa_cal_note", { n: LARGE });
  }

  async function showCalibration(interactionId) {
    $("qa-cal-error").textContent = "";
    try {
      const r = await api("GET", "/api/v1/qa/calibration?" + new URLSearchParams({ interaction_id: interactionId }));
      if (!r.ok) {
        qa.calibration = null;
        drawCalibration();
        $("qa-error").textContent = `${t("qa_load_error")}: ${problem(r)}`;
        return;
      }
      qa.calibration = r.body;
      drawCalibration();
      $("qa-calibration").scrollIntoView({ block: "start" });
      $("qa-cal-close").focus();
    } catch (e) {
      if (token) $("qa-error").textContent = t("qa_load_error");
    }
  }

  // ------------------------------------------------------------------ the scorecard ------------

  function weightsSum() {
    return CRITERIA.reduce((s, c) => s + (Number($("qa-w-" + c).value) || 0), 0);
  }
  function drawSum() {
    const sum = weightsSum();
    $("qa-card-sum").textContent = `${sum} / 100`;
    $("qa-card-sum").dataset.ok = String(sum === 100);
  }
  function fillCard() {
    const c = qa.card;
    if (!c) return;
    for (const k of CRITERIA) $("qa-w-" + k).value = c.weights[k];
    $("qa-pass").value = c.pass_mark;
    $("qa-per-op").value = c.sample_per_operator;
    drawSum();
  }
  function drawCardMode() {
    const admin = isAdmin();
    for (const el of $("qa-card").querySelectorAll("input")) el.disabled = !admin;
    $("qa-card").querySelector(".qa-admin").hidden = !admin;
    $("qa-card-help").textContent = t("qa_card_help") + (admin ? "" : " " + t("qa_card_readonly"));
  }
  async function loadCard() {
    const r = await api("GET", "/api/v1/settings/qa-scorecard");
    if (!r.ok) return `${t("qa_load_error")}: ${problem(r)}`;
    qa.card = r.body;
    fillCard();
    drawCriteria();
    return null;
  }

  $("qa-card").addEventListener("input", (ev) => { if (ev.target.id.startsWith("qa-w-")) drawSum(); $("qa-card-status").textContent = ""; });
  $("qa-card").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    if (!isAdmin()) return;
    $("qa-card-error").textContent = "";
    $("qa-card-status").textContent = "";
    const int = (id) => ($(id).value.trim() === "" ? null : Number($(id).value));
    const body = {
      weights: Object.fromEntries(CRITERIA.map((c) => [c, int("qa-w-" + c)])),
      pass_mark: int("qa-pass"),
      sample_per_operator: int("qa-per-op"),
    };
    try {
      const r = await api("PUT", "/api/v1/settings/qa-scorecard", body);
      if (!r.ok) { $("qa-card-error").textContent = `${t("qa_save_error")}: ${problem(r)}`; return; }
      qa.card = r.body;
      fillCard();
      drawCriteria();
      if (qa.calibration) drawCalibration();
      $("qa-card-status").textContent = t("qa_card_saved");
    } catch (e) {
      if (token) $("qa-card-error").textContent = t("qa_save_error");
    }
  });

  // ------------------------------------------------------------------ the panel ----------------

  async function load() {
    const p = period();
    $("qa-error").textContent = "";
    if (!p) { $("qa-error").textContent = t("qa_load_error"); return; }
    const ticket = ++qa.loading;
    try {
      await readNames();
      const errors = await Promise.all([
        loadCard(),
        oversees() ? loadSample(p) : Promise.resolve(null),
        loadReviews(p),
      ]);
      if (ticket !== qa.loading) return;
      $("qa-error").textContent = errors.filter(Boolean).join(" · ");
      if (qa.calibration) drawCalibration();
    } catch (e) {
      if (token) $("qa-error").textContent = t("qa_load_error");
    }
  }

  function drawMode() {
    const oversight = oversees();
    $("qa-open").dataset.t = oversight ? "qa_open" : "qa_mine_open";
    $("qa-open").textContent = t($("qa-open").dataset.t);
    $("qa-h").dataset.t = oversight ? "qa_title" : "qa_title_mine";
    $("qa-h").textContent = t($("qa-h").dataset.t);
    document.querySelectorAll("#qa .qa-oversight").forEach((e) => { e.hidden = !oversight; });
    if (!oversight) $("qa-calibration").hidden = true;
    else drawCalibration();
    drawCardMode();
  }

  function showPanel(open) {
    qa.shown = open;
    $("qa").hidden = !open;
    $("qa-open").setAttribute("aria-expanded", String(open));
    if (!open) { closeReview(); return; }
    if (!$("qa-from").value || !$("qa-to").value) {
      // The last seven Almaty days, today included.
      const today = almatyToday();
      $("qa-to").value = today;
      $("qa-from").value = addDays(today, -6);
    }
    drawMode();
    load();
    $("qa").scrollIntoView({ block: "start" });
    $("qa").focus();
  }

  // Signed in as centre staff: the button (QA for supervisors and admins, My reviews for
  // operators); signed out: nothing is left for whoever signs in next.
  function onApp() {
    const on = !$("app").hidden && (oversees() || isOperator());
    $("qa-open").hidden = !on;
    if (on) { drawMode(); return; }
    showPanel(false);
    Object.assign(qa, { card: null, sample: null, reviews: null, calibration: null, reviewing: null });
    qa.names.clear();
    drawSample();
    drawReviews();
    drawCalibration();
    for (const id of ["qa-error", "qa-review-error", "qa-review-result", "qa-card-error", "qa-card-status", "qa-cal-error"]) $(id).textContent = "";
    for (const id of ["qa-from", "qa-to"]) $(id).value = "";
    $("qa-operator").replaceChildren(new Option(t("qa_all_operators"), ""));
    $("qa-card").reset();
    $("qa-review-form").reset();
  }
  new MutationObserver(onApp).observe($("app"), { attributes: true, attributeFilter: ["hidden"] });
  onApp();

  // The live view comes over the socket, maybe after the panel was drawn: console.js redraws
  // its operators' table on each one, and names learnt from it are shown.
  new MutationObserver(() => {
    const before = qa.names.size;
    for (const o of (typeof lastLive !== "undefined" && lastLive && lastLive.operators) || []) qa.names.set(o.staff_id, o.display_name);
    if (qa.names.size === before || !qa.shown) return;
    drawReviews();
    if (oversees() && !$("qa-operator").contains(document.activeElement)) fillOperatorFilter();
    drawReviewHead();
    drawCalibration();
  }).observe($("operators").querySelector("tbody"), { childList: true });

  $("qa-open").addEventListener("click", () => showPanel(!qa.shown));
  $("qa-period").addEventListener("submit", (ev) => { ev.preventDefault(); load(); });
  $("qa-operator").addEventListener("change", async () => {
    const p = period();
    if (!p) return;
    const err = await loadReviews(p);
    $("qa-error").textContent = err || "";
  });
  $("qa-review-form").addEventListener("submit", (ev) => { ev.preventDefault(); submitReview(); });
  $("qa-review-close").addEventListener("click", closeReview);
  $("qa-review").addEventListener("keydown", (ev) => { if (ev.key === "Escape") closeReview(); });
  $("qa-cal-close").addEventListener("click", () => {
    const id = qa.calibration && qa.calibration.interaction_id;
    qa.calibration = null;
    drawCalibration();
    $(`qa-reviews`).querySelector(`tr[data-interaction="${id}"] button`)?.focus();
  });
  $("lang").addEventListener("change", () => {
    drawMode();
    if (!qa.shown) return;
    drawSample();
    drawReviews();
    if (oversees()) fillOperatorFilter();
    drawCriteria();
    drawReviewHead();
    drawCalibration();
  });
})();

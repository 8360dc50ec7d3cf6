// The satisfaction survey a citizen opens from the link in an e-mail or SMS (R5.7): five
// buttons, an optional comment, one answer. Texts follow the appeal's language.
(function () {
  "use strict";
  const T = {
    kk: {
      title: (n) => `№ ${n} өтініш бойынша қызмет сапасын бағалаңыз`,
      hint: "1 — өте нашар, 5 — өте жақсы",
      comment: "Пікіріңіз (міндетті емес)",
      send: "Жіберу",
      done: "Рақмет! Бағаңыз қабылданды.",
      answered: "Бұл өтініш бойынша баға берілген. Рақмет!",
      missing: "Сілтеме жарамсыз немесе ескірген.",
      failed: "Жіберу мүмкін болмады. Қайталап көріңіз.",
    },
    ru: {
      title: (n) => `Оцените качество обслуживания по обращению № ${n}`,
      hint: "1 — очень плохо, 5 — отлично",
      comment: "Ваш комментарий (необязательно)",
      send: "Отправить",
      done: "Спасибо! Ваша оценка принята.",
      answered: "Оценка по этому обращению уже получена. Спасибо!",
      missing: "Ссылка недействительна или устарела.",
      failed: "Не удалось отправить. Попробуйте ещё раз.",
    },
    en: {
      title: (n) => `Please rate the service on appeal No. ${n}`,
      hint: "1 is very poor, 5 is excellent",
      comment: "Your comment (optional)",
      send: "Send",
      done: "Thank you! Your rating has been received.",
      answered: "This appeal has been rated already. Thank you!",
      missing: "The link is not valid or has expired.",
      failed: "Could not send. Please try again.",
    },
  };
  const token = location.pathname.split("/").pop();
  const api = `/api/v1/public/surveys/${encodeURIComponent(token)}`;
  const $ = (id) => document.getElementById(id);
  let t = T.kk;
  let score = 0;

  function finish(text) {
    $("survey").hidden = true;
    $("done").hidden = false;
    $("done").textContent = text;
  }

  async function load() {
    const r = await fetch(api);
    if (!r.ok) return finish(T.kk.missing + " / " + T.ru.missing);
    const s = await r.json();
    t = T[s.language] || T.kk;
    document.documentElement.lang = s.language;
    if (s.answered) return finish(t.answered);
    $("title").textContent = t.title(s.number);
    $("hint").textContent = t.hint;
    $("comment-label").textContent = t.comment;
    $("send").textContent = t.send;
    for (let i = 1; i <= 5; i++) {
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = String(i);
      b.setAttribute("aria-pressed", "false");
      b.addEventListener("click", () => {
        score = i;
        for (const x of $("scores").children) x.setAttribute("aria-pressed", String(x === b));
        $("send").disabled = false;
      });
      $("scores").appendChild(b);
    }
  }

  $("send").addEventListener("click", async () => {
    if (!score) return;
    $("send").disabled = true;
    const comment = $("comment").value.trim();
    const r = await fetch(api, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(comment ? { score, comment } : { score }),
    });
    if (r.status === 204) return finish(t.done);
    if (r.status === 409) return finish(t.answered);
    $("error").textContent = t.failed;
    $("send").disabled = false;
  });

  load().catch(() => finish(T.kk.missing));
})();

// A shift at the single window by keyboard only (issue 14), run by the Rust test
// `console_shift::a_shift_by_keyboard_in_chromium`. Five citizens write at /chat, three in
// Kazakh and two in Russian. The operator signs in at /console at 1366×768 and never touches the
// pointer: accepts each offer (Alt+A), replies, sets the kind and topic (Alt+I), inserts a canned
// reply (Alt+C), registers a complaint (Alt+P), escalates and transfers (Alt+T), redirects to a
// body (Alt+B), extends a term (Alt+I, then its link)
// and closes with the resolution (Alt+X) — in Kazakh, then switched to Russian. The server is
// cut off from the console (every connection refused) while a reply is typed: it is kept, said
// to be waiting, and reaches the citizen once. In every state: axe-core finds no serious or
// critical violation, the page does not scroll, no raw value of the API is on a Kazakh or
// Russian screen, and a screenshot is kept. The key presses of the accept → canned reply →
// close flow are counted and printed for BENCHMARKS.md.
import { launch } from "./console-session.mjs";
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";

const base = process.env.BAYLANYS_BASE;
const proxy = process.env.BAYLANYS_PROXY;
const control = process.env.BAYLANYS_CONTROL;
const shots = process.env.BAYLANYS_SCREENSHOTS;
if (!base || !proxy || !control) throw new Error("BAYLANYS_BASE, BAYLANYS_PROXY, BAYLANYS_CONTROL are required");
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

const browser = await launch();
const timeout = 15000;
const problems = [];
const eq = (what, got, want) => {
  if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(`${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
};

// Words of the API that must never reach a Kazakh or Russian screen.
const RAW = /\b(web_chat|in_progress|awaiting_client|body_officer|in_person|request|application|complaint|proposal|new|redirected|answered|closed|operator|supervisor|admin|email|telegram|voice|kk|ru)\b/;

let op;
const effort = { keys: 0, typed: 0, pointer: 0 };
let counting = null;
async function key(k) {
  effort.keys += 1;
  if (counting) counting.keys += 1;
  await op.keyboard.press(k);
}
async function typeText(s) {
  effort.typed += s.length;
  if (counting) counting.typed += s.length;
  await op.keyboard.type(s);
}
const focused = () => op.evaluate(() => document.activeElement && (document.activeElement.id || document.activeElement.tagName));
async function tabTo(selector, limit = 80) {
  for (let i = 0; i < limit; i++) {
    if (await op.evaluate((s) => Boolean(document.activeElement && document.activeElement.matches(s)), selector)) return;
    await key("Tab");
  }
  throw new Error(`Tab never reached ${selector}`);
}
async function waitFocus(id) {
  await op.waitForFunction((x) => document.activeElement && document.activeElement.id === x, id, { timeout });
}

// The checks made in every state.
async function look(what, lang) {
  await op.addScriptTag({ content: axeSource });
  const r = await op.evaluate(async () => await axe.run(document, { resultTypes: ["violations"] }));
  for (const v of r.violations) {
    if (v.impact === "serious" || v.impact === "critical") {
      problems.push(`${what}: axe ${v.id} (${v.impact}) at ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
    }
  }
  const size = await op.evaluate(() => ({
    h: document.documentElement.scrollHeight, w: document.documentElement.scrollWidth, vh: innerHeight, vw: innerWidth,
  }));
  if (size.h > size.vh || size.w > size.vw) problems.push(`${what}: the page scrolls (${size.w}×${size.h} in ${size.vw}×${size.vh})`);
  if (lang !== "en") {
    const text = await op.evaluate(() => document.getElementById("app").innerText);
    const raw = text.match(RAW);
    if (raw) problems.push(`${what}: a raw value "${raw[0]}" on the screen: …${text.slice(Math.max(0, raw.index - 60), raw.index + 40)}…`);
  }
  if (shots) await op.screenshot({ path: `${shots}/shift-${what}.png` });
}

// A citizen at /chat in their language, with their first message.
async function citizen(lang, name, text) {
  const page = await (await browser.newContext()).newPage();
  await page.goto(base + "/chat");
  if (lang === "ru") await page.selectOption("#baylanys-lang", "ru");
  await page.fill("#baylanys-name", name);
  await page.getByRole("button", { name: lang === "ru" ? "Начать" : "Бастау" }).click();
  await page.fill("#baylanys-input", text);
  await page.press("#baylanys-input", "Enter");
  await page.locator(".log li.client", { hasText: text }).waitFor({ timeout });
  return page;
}
const sees = (page, cls, text) => page.locator(`.log li.${cls}`, { hasText: text }).first().waitFor({ timeout });

// Accepts the offer of the citizen who wrote `text` (Alt+A takes the oldest offer).
async function accept(text) {
  await op.locator("#offers tbody tr").first().waitFor({ timeout });
  await key("Alt+A");
  await op.locator(".conv-log:not([hidden]) li.client", { hasText: text }).waitFor({ timeout });
  await waitFocus("reply-text");
}
async function reply(page, text) {
  await key("Alt+R");
  await typeText(text);
  await key("Enter");
  await sees(page, "operator", text);
}
// Alt+I: the kind one step down the list, the topic `topicSteps` steps down, Enter saves.
async function setKindAndTopic(topicSteps) {
  await key("Alt+I");
  await waitFocus("field-kind");
  await key("ArrowDown");
  await key("Tab");
  for (let i = 0; i < topicSteps; i++) await key("ArrowDown");
  await key("Enter");
}

try {
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 }, bypassCSP: true });
  op = await ctx.newPage();
  op.on("pageerror", (e) => problems.push("script error: " + e));

  // Five citizens; the offers come oldest first.
  const a = await citizen("kk", "Айгүл", "Зейнетақы қашан түседі?");

  // Sign in by keyboard: the login field has the focus.
  await op.goto(proxy + "/console");
  await op.waitForSelector("#login:not([hidden])", { timeout });
  await look("sign-in", "kk");
  await waitFocus("login-name");
  await typeText("op");
  await key("Tab");
  await typeText("op-password");
  await key("Enter");
  await op.waitForSelector("#app:not([hidden])", { timeout });
  await look("signed-in-kk", "kk");
  // Online: Tab to the presence list, Home picks its first entry.
  await tabTo("#presence");
  await key("Home");
  eq("presence", await op.inputValue("#presence"), "online");
  // The shortcuts, in Kazakh, from anywhere.
  await key("Alt+Slash");
  await op.waitForSelector("dialog#keys[open]", { timeout });
  const help = await op.locator("#keys-list").innerText();
  if (!help.includes("Ең ерте ұсынысты қабылдау") || !help.includes("Шешімімен жабу")) throw new Error("help overlay: " + help);
  await look("help-kk", "kk");
  await key("Escape");
  await op.waitForSelector("dialog#keys:not([open])", { state: "attached", timeout });

  // A: accept, reply, kind and topic, a canned reply, the server cut off while a reply is
  // typed, close with the resolution and first-contact resolution.
  counting = { keys: 0, typed: 0 };
  await accept("Зейнетақы қашан түседі?");
  const acceptKeys = counting.keys;
  counting = null;
  await reply(a, "Сәлеметсіз бе! Қазір қарап берем.");
  await look("conversation-kk", "kk");
  await setKindAndTopic(2);
  await op.locator("#conv-fields", { hasText: "Түрі: өтініш" }).waitFor({ timeout });
  await op.locator("#conv-fields", { hasText: "Тақырып: Зейнетақы төлемдері" }).waitFor({ timeout });
  eq("fields said saved", await op.textContent("#fields-status"), "Сақталды");
  await look("fields-kk", "kk");
  counting = { keys: 0, typed: 0 };
  await key("Alt+C");
  await waitFocus("canned");
  await key("ArrowDown");
  await key("Enter");
  await waitFocus("reply-text");
  eq("canned reply inserted", await op.inputValue("#reply-text"), "Сәлеметсіз бе! Қалай көмектесе аламын?");
  await key("Enter");
  const cannedKeys = counting.keys;
  counting = null;
  await sees(a, "operator", "Қалай көмектесе аламын?");

  await fetch(control + "/down");
  await op.locator("#link", { hasText: "қайта қосылуда…" }).waitFor({ timeout });
  await key("Alt+R");
  await typeText("Байланыс жоқ кезде жазылған жауап");
  await key("Enter");
  eq("the box is emptied", await op.inputValue("#reply-text"), "");
  eq("the reply waits", await op.textContent("#reply-status"), "Байланыс қалпына келгенде жіберіледі");
  await look("server-down-kk", "kk");
  await fetch(control + "/up");
  await sees(a, "operator", "Байланыс жоқ кезде жазылған жауап");
  await op.waitForFunction(() => document.getElementById("reply-status").textContent === "", null, { timeout: 30000 });
  eq("the reply reached the citizen once", await a.locator(".log li.operator", { hasText: "Байланыс жоқ кезде жазылған жауап" }).count(), 1);

  counting = { keys: 0, typed: 0 };
  await key("Alt+X");
  await waitFocus("resolution");
  await typeText("Кеңес берілді");
  await key("Tab");
  await key("Space");
  await key("Tab");
  await look("close-kk", "kk");
  await key("Enter");
  const closeKeys = counting.keys;
  const closeTyped = counting.typed;
  counting = null;
  await op.waitForSelector("#conversation[hidden]", { state: "attached", timeout });
  await sees(a, "system", "Әңгіме аяқталды");

  // B: accept, register a complaint about the operator, escalate it to a supervisor.
  const b = await citizen("kk", "Бауыржан", "Оператор дөрекі сөйледі, шағым бергім келеді");
  await accept("шағым бергім келеді");
  await key("Alt+P");
  await waitFocus("complaint-category");
  await key("ArrowDown");
  await key("Tab");
  await key("ArrowDown");
  await key("Tab");
  await key("Enter");
  await op.locator("#conv-fields", { hasText: "Түрі: шағым" }).waitFor({ timeout });
  await look("complaint-kk", "kk");
  await key("Alt+T");
  await waitFocus("transfer-queue");
  await key("Tab");
  await key("Tab");
  await typeText("Оператордың өзіне шағым: супервизор қарасын");
  await key("Tab");
  await key("Tab");
  await look("escalate-kk", "kk");
  await key("Enter");
  await op.waitForSelector("#conversation[hidden]", { state: "attached", timeout });
  await sees(b, "system", "аға маманға берілді");

  // C: accept, redirect to the ministry (its first department), the citizen is told.
  const c = await citizen("kk", "Сәуле", "Жер учаскесіне құжат қашан дайын болады?");
  await accept("Жер учаскесіне құжат");
  await key("Alt+B");
  await waitFocus("redirect-body");
  await key("ArrowDown");
  await key("Tab");
  await key("Tab");
  await typeText("Министрліктің құзыреті");
  await look("redirect-kk", "kk");
  await key("Enter");
  await op.locator("#conv-fields", { hasText: "Мәртебесі: жіберілді" }).waitFor({ timeout });
  await sees(c, "system", "органына жіберілді");
  await look("redirected-kk", "kk");
  // Its tab is done with: Alt+X, then the last button of the tab.
  await key("Alt+X");
  await tabTo("#close-tab");
  await key("Enter");
  await op.waitForSelector("#conversation[hidden]", { state: "attached", timeout });

  // To Russian: Tab to the language list, one step down. Everything redraws.
  await tabTo("#lang", 200);
  await key("ArrowDown");
  await op.getByText("Предложенные вам обращения").waitFor({ timeout });
  await look("signed-in-ru", "ru");

  // D (Russian): accept, reply, kind and topic, close.
  const d = await citizen("ru", "Дмитрий", "Когда придёт пенсия?");
  await accept("Когда придёт пенсия?");
  await reply(d, "Здравствуйте! Сейчас посмотрю.");
  await setKindAndTopic(2);
  await op.locator("#conv-fields", { hasText: "Вид: заявление" }).waitFor({ timeout });
  await op.locator("#conv-fields", { hasText: "Тема: Пенсионные выплаты" }).waitFor({ timeout });
  await look("conversation-ru", "ru");
  // The term extended by a reasoned decision (АППК art. 76): the citizen is told the new date.
  const due = await op.evaluate(() => convs.get(active).detail.appeal.due_at);
  const later = new Date(Date.parse(due) + 10 * 86400000).toISOString().slice(0, 10);
  await key("Alt+I");
  await tabTo("#extend-open");
  await key("Enter");
  await waitFocus("extend-date");
  // Typed into the date's parts in the browser's order (month, day, year: the test browser's
  // default locale).
  const [yyyy, mm, dd] = later.split("-");
  await typeText(mm + dd + yyyy);
  eq("the date typed", await op.inputValue("#extend-date"), later);
  await tabTo("#extend-reason"); // Tab walks the date's parts first
  await typeText("Нужен запрос в другой орган");
  await key("Enter");
  await op.waitForFunction(() => document.getElementById("fields-status").textContent === "Срок продлён"
    || document.getElementById("extend-status").textContent !== "", null, { timeout });
  eq("the extension refused", [await op.textContent("#extend-status"), await op.getAttribute("#extend-status", "title")], ["", null]);
  eq("the new due date", await op.textContent("#field-due"), new Date(later + "T12:00:00").toLocaleDateString("ru"));
  await sees(d, "system", "продлён");
  await key("Alt+X");
  await waitFocus("resolution");
  await typeText("Консультация дана");
  await key("Enter");
  await op.waitForSelector("#conversation[hidden]", { state: "attached", timeout });
  await sees(d, "system", "Разговор завершён");

  // E (Russian): accept, complaint, transfer to the second line. Last: a contact sent to a
  // queue nobody else serves comes back to its operator after a pause.
  const e = await citizen("ru", "Елена", "Хочу пожаловаться на ожидание");
  await accept("Хочу пожаловаться");
  await key("Alt+P");
  await waitFocus("complaint-category");
  await key("Tab");
  await key("Tab");
  await key("Enter");
  await op.locator("#conv-fields", { hasText: "Вид: жалоба" }).waitFor({ timeout });
  await op.locator("#complaint-none", { hasText: "Обращение зарегистрировано как жалоба" }).waitFor({ timeout });
  await look("complaint-ru", "ru");
  await key("Alt+T");
  await waitFocus("transfer-queue");
  await key("End");
  await key("Tab");
  await key("Tab");
  await typeText("Вторая линия");
  await key("Enter");
  await op.waitForSelector("#conversation[hidden]", { state: "attached", timeout });
  await sees(e, "system", "передано другому специалисту");
  await look("done-ru", "ru");

  if (problems.length) throw new Error("problems:\n" + problems.join("\n"));
  eq("no pointer action", effort.pointer, 0);
  const figures = { accept_keys: acceptKeys, canned_reply_keys: cannedKeys, close_keys: closeKeys, close_typed: closeTyped,
    shift_keys: effort.keys, shift_typed: effort.typed, pointer: effort.pointer };
  if (shots) writeFileSync(`${shots}/console-effort.json`, JSON.stringify(figures, null, 2));
  console.log(`effort: accept ${acceptKeys} keys; canned reply ${cannedKeys} keys; close ${closeKeys} keys + ${closeTyped} typed characters; shift total ${effort.keys} keys, ${effort.typed} typed characters, ${effort.pointer} pointer actions`);
  console.log("shift browser test passed");
} finally {
  await browser.close();
}

// The citizens' self-service in real Chromium (issue 18; clause 3.15, R12.3): /help in Kazakh
// searched by a word form as you type, an article read with its source and version date and
// "helped" pressed; the page switched to Russian with no Kazakh or English left on it and the
// choice remembered; English said plainly to be missing; network and 429 errors in the page's
// language; the chat widget suggesting an article while the citizen types, "helped" recorded,
// and the conversation going on; the widget embedded on another site reaching the centre
// across origins; axe-core on every view. The Rust test checks what was recorded.
import { launch } from "./console-session.mjs";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const base = process.env.BAYLANYS_BASE;
const shots = process.env.BAYLANYS_SCREENSHOTS;
const helpSlug = process.env.HELP_SLUG;
const widgetSlug = process.env.WIDGET_SLUG;
const crossSlug = process.env.CROSS_SLUG;
const staleSlug = process.env.STALE_SLUG; // past its review date, still served
const embed = process.env.EMBED_URL; // another site's page with the widget on it
if (!base || !helpSlug || !widgetSlug || !crossSlug || !staleSlug || !embed) {
  throw new Error("BAYLANYS_BASE, HELP_SLUG, WIDGET_SLUG, CROSS_SLUG, STALE_SLUG and EMBED_URL are required");
}
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

const browser = await launch();
const timeout = 15000;
const shot = async (page, name) => { if (shots) await page.screenshot({ path: `${shots}/${name}.png`, fullPage: true }); };
const check = (ok, what) => { if (!ok) throw new Error(what); };

// Script errors and CSP refusals fail the test: the pages run under `script-src 'self'`.
const problems = [];
function watch(page, label) {
  page.on("pageerror", (e) => problems.push(`${label}: script error: ${e.message}`));
  page.on("console", (m) => {
    // A refused request is the browser's own message; the page says it in its language.
    if (m.type() === "error" && !/Failed to load resource/.test(m.text())) problems.push(`${label}: console error: ${m.text()}`);
  });
  return page;
}

// The page's own words — not an article's title, text or source (which may name eGov), nor a
// language's name in itself: no Latin word, and on a Russian page no letter only Kazakh has.
async function leftovers(page, language) {
  return page.evaluate((language) => {
    const found = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const e = n.parentElement;
      if (!e || e.closest("[hidden], script, style, .body, .sources ul, .short span, h1[lang], a > span[lang], .snippet")) continue;
      if (!e.checkVisibility()) continue;
      const own = e.closest("[lang]");
      if (own && own.getAttribute("lang") !== language) continue;
      const text = n.textContent.trim();
      if (!text) continue;
      if (/[A-Za-z]{2,}/.test(text)) found.push(`Latin: ${text}`);
      if (language === "ru" && /[ӘәҒғҚқҢңӨөҰұҮүҺһІі]/.test(text)) found.push(`Kazakh: ${text}`);
    }
    return found;
  }, language);
}

const found = [];
async function audit(page, what) {
  await page.addScriptTag({ content: axeSource });
  const r = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    await axe.run(document, { resultTypes: ["violations"] }));
  for (const v of r.violations) {
    if (v.impact === "serious" || v.impact === "critical" || v.id === "landmark-one-main") {
      found.push(`${what}: ${v.id} (${v.impact}) at ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
    }
  }
}

try {
  // ---- /help in Kazakh: search by a word form as you type ----
  const help = watch(await (await browser.newContext({ viewport: { width: 1100, height: 900 } })).newPage(), "help");
  const searches = [];
  help.on("request", (r) => { if (r.url().includes("/api/v1/public/knowledge/search")) searches.push(r.url()); });
  await help.goto(base + "/help");
  await help.getByRole("heading", { level: 1, name: "Жиі қойылатын сұрақтар" }).waitFor({ timeout });
  check((await help.getAttribute("html", "lang")) === "kk", "the page is not in Kazakh by default");
  await help.locator(".topic h3", { hasText: "Құжаттар" }).waitFor({ timeout });
  await shot(help, "help-kk-topics");
  // A word form («куәлігімді», my card) finds «Жеке куәлікті ауыстыру» first; without «жеке»
  // the driving licence's card («жүргізуші куәлігі») is as good an answer and may come first.
  const words = "жеке куәлігімді ауыстыру";
  await help.getByLabel("Сұрағыңызды жазыңыз").pressSequentially(words, { delay: 40 });
  const first = help.locator("#hits li").first();
  await first.locator(`a[href*="article=${helpSlug}"]`).waitFor({ timeout });
  check(searches.length > 0 && searches.length <= 3, `searched ${searches.length} times while typing ${words.length} characters (not debounced?)`);
  const marks = await first.locator(".snippet mark").allTextContents();
  check(marks.length > 0 && marks.every((m) => /^(жеке|куәлі|ауыст)/i.test(m)), "matched words not marked: " + JSON.stringify(marks));
  await help.getByText(/\d+ мақала табылды/).waitFor({ timeout });
  check(help.url().includes("q="), "the search is not in the address");
  await shot(help, "help-kk-search");

  // The article: its source, its version's date, and "helped".
  await first.locator("a").first().click();
  const h1 = help.getByRole("heading", { level: 1 });
  await h1.filter({ hasText: "Жеке куәлікті ауыстыру" }).waitFor({ timeout });
  check(help.url().includes(`article=${helpSlug}`) && help.url().includes("lang=kk"), "no deep link: " + help.url());
  check(await help.evaluate(() => document.activeElement && document.activeElement.tagName === "H1"), "focus did not move to the article");
  await help.getByText(/^\d{2}\.\d{2}\.\d{4} жарияланды · \d+-нұсқа$/).waitFor({ timeout });
  await help.getByRole("heading", { name: "Дереккөздер" }).waitFor({ timeout });
  await help.locator(".sources li", { hasText: "7-бап" }).waitFor({ timeout });
  check((await help.locator('.sources a[href^="https://adilet.zan.kz/"]').count()) === 1, "the source's address is not a link");
  check((await help.locator(".body strong").count()) > 0, "the article's Markdown was not rendered");
  await help.getByRole("heading", { name: "Бұл мақала көмектесті ме?" }).waitFor({ timeout });
  check((await leftovers(help, "kk")).length === 0, "leftovers on the Kazakh article: " + (await leftovers(help, "kk")).join(" | "));
  await shot(help, "help-kk-article");
  const [sent] = await Promise.all([
    help.waitForResponse((r) => r.url().includes("/feedback") && r.request().method() === "POST", { timeout }),
    help.getByRole("button", { name: "Иә", exact: true }).click(),
  ]);
  check(sent.status() === 204, "feedback answered " + sent.status());
  check(JSON.parse(sent.request().postData()).place === "help", "feedback not recorded as help");
  await help.getByText("Рақмет! Пікіріңіз ескерілді.").waitFor({ timeout });

  // ---- Russian: the same article, every word of the page in Russian ----
  await help.getByRole("link", { name: "Русский" }).click();
  await h1.filter({ hasText: "Замена удостоверения личности" }).waitFor({ timeout });
  check((await help.getAttribute("html", "lang")) === "ru", "html lang is not ru");
  await help.getByText(/^Опубликовано \d{2}\.\d{2}\.\d{4} · версия \d+$/).waitFor({ timeout });
  await help.getByText("Спасибо! Ваш отзыв учтён.").waitFor({ timeout });
  await help.getByRole("heading", { name: "Источники" }).waitFor({ timeout });
  let left = await leftovers(help, "ru");
  check(left.length === 0, "leftovers on the Russian article: " + left.join(" | "));
  check(!(await help.getByText("Рақмет").count()), "the Kazakh thanks stayed");
  await shot(help, "help-ru-article");
  await help.getByRole("link", { name: "← Все вопросы" }).click();
  await help.getByRole("heading", { level: 1, name: "Частые вопросы" }).waitFor({ timeout });
  await help.locator(".topic h3", { hasText: "Документы" }).waitFor({ timeout });
  await help.locator(".topic a", { hasText: "Замена удостоверения личности" }).waitFor({ timeout });
  left = await leftovers(help, "ru");
  check(left.length === 0, "leftovers on the Russian topics: " + left.join(" | "));
  check(!(await help.locator('.topic [lang="kk"]').count()), "a Kazakh title among the Russian topics");
  await shot(help, "help-ru-topics");

  // The choice is remembered: /help again opens in Russian.
  await help.goto(base + "/help");
  await help.getByRole("heading", { level: 1, name: "Частые вопросы" }).waitFor({ timeout });

  // Errors in the page's language: no network, then too many requests.
  await help.route("**/api/v1/public/knowledge/search*", (r) => r.abort("internetdisconnected"));
  await help.getByLabel("Напишите свой вопрос").fill("справка о несудимости");
  await help.getByText("Нет связи. Проверьте интернет и повторите.").waitFor({ timeout });
  await help.unroute("**/api/v1/public/knowledge/search*");
  await help.getByLabel("Напишите свой вопрос").fill("справка о несудимости для работы");
  await help.locator("#hits li").first().waitFor({ timeout });
  await help.locator("#hits li a").first().click();
  await help.getByRole("heading", { name: "Эта статья помогла?" }).waitFor({ timeout });
  await help.route("**/feedback", (r) => r.fulfill({ status: 429, contentType: "application/problem+json", body: "{}" }));
  await help.getByRole("button", { name: "Нет", exact: true }).click();
  await help.getByText("Слишком много запросов. Повторите через минуту.").waitFor({ timeout });
  check(await help.getByRole("button", { name: "Нет", exact: true }).isEnabled(), "the buttons stay disabled after a refusal");
  await help.unroute("**/feedback");

  // An article past its review date stays readable.
  await help.goto(`${base}/help?article=${staleSlug}&lang=ru`);
  await help.locator("#article .body p").first().waitFor({ timeout });
  await help.getByRole("heading", { name: "Эта статья помогла?" }).waitFor({ timeout });

  // English: the fixtures have no English text, and the page says so in English.
  await help.goto(`${base}/help?article=${helpSlug}&lang=en`);
  await help.getByText("This article is not yet available in English.").waitFor({ timeout });
  const note = help.getByRole("note");
  await note.getByRole("link", { name: "Қазақша" }).waitFor({ timeout });
  check(!(await help.locator("#article .body").count()), "text in another language shown as if English");
  left = await leftovers(help, "en");
  check(left.every((l) => l.startsWith("Latin")), "Kazakh letters in the English page's words");
  await shot(help, "help-en-missing");
  await note.getByRole("link", { name: "Русский" }).click();
  await h1.filter({ hasText: "Замена удостоверения личности" }).waitFor({ timeout });

  // ---- the widget at /chat: a suggestion while the citizen types ----
  const chatContext = await browser.newContext({ viewport: { width: 1000, height: 800 } });
  const chat = watch(await chatContext.newPage(), "chat");
  await chat.goto(base + "/chat");
  await chat.getByRole("button", { name: "Бастау" }).click();
  const question = "Зейнетақыға шығу жасы қанша?";
  await chat.locator("#baylanys-input").pressSequentially(question, { delay: 30 });
  await chat.getByRole("heading", { name: "Бұл сұрағыңызға жауап болуы мүмкін" }).waitFor({ timeout });
  const item = chat.locator(`.kb li:has(a[href*="article=${widgetSlug}"])`);
  await item.waitFor({ timeout });
  check((await chat.locator(".kb li").count()) <= 3, "more than three suggestions");
  check((await chat.inputValue("#baylanys-input")) === question, "what the citizen typed changed");
  check(await chat.evaluate(() => document.activeElement && document.activeElement.id === "baylanys-input"), "the suggestions took the focus");
  await item.locator("button.kb-q").click();
  const answer = item.locator(".kb-a");
  await answer.waitFor({ state: "visible", timeout });
  check((await item.locator("button.kb-q").getAttribute("aria-expanded")) === "true", "aria-expanded not set");
  await answer.getByText(/жасқа/).first().waitFor({ timeout });
  await answer.getByText(/^Дереккөз: /).first().waitFor({ timeout });
  const full = answer.getByRole("link", { name: "Толық мақала (жаңа қойындыда ашылады)" });
  check((await full.getAttribute("href")) === `${base}/help?article=${widgetSlug}&lang=kk`, "full article link: " + (await full.getAttribute("href")));
  check((await full.getAttribute("target")) === "_blank", "the full article does not open in a new tab");
  await shot(chat, "chat-kk-suggestion");
  const [voted] = await Promise.all([
    chat.waitForResponse((r) => r.url().includes("/feedback") && r.request().method() === "POST", { timeout }),
    answer.getByRole("button", { name: "Көмектесті", exact: true }).click(),
  ]);
  check(voted.status() === 204, "widget feedback answered " + voted.status());
  check(JSON.parse(voted.request().postData()).place === "widget", "widget feedback not recorded as widget");
  await answer.getByText("Рақмет! Пікіріңіз ескерілді.").waitFor({ timeout });
  // The full article opens on /help in a new tab.
  const [tab] = await Promise.all([chatContext.waitForEvent("page"), full.click()]);
  await tab.getByRole("heading", { level: 1, name: "Жасына байланысты зейнетақы тағайындау" }).waitFor({ timeout });
  await tab.close();
  // The chat goes on: the question is sent as typed, and the suggestions stay while waiting.
  await chat.locator("#baylanys-input").press("Enter");
  await chat.locator(".log li.client", { hasText: question }).waitFor({ timeout });
  await chat.getByText(/Өтініш № \d{4}-\d{6}/).waitFor({ timeout });
  await chat.getByText(/Күту тегін/).waitFor({ timeout });
  check(await item.isVisible(), "the suggestion vanished while the citizen waits");
  await shot(chat, "chat-kk-waiting");

  // ---- the widget embedded on another site, in Russian ----
  const foreign = watch(await (await browser.newContext({ viewport: { width: 1000, height: 800 } })).newPage(), "embedded");
  await foreign.goto(embed);
  await foreign.getByRole("heading", { name: "Сайт акимата" }).waitFor({ timeout });
  check(new URL(foreign.url()).origin !== new URL(base).origin, "the embedding page is not cross-origin");
  await foreign.getByRole("button", { name: "Чат" }).click();
  await foreign.getByRole("button", { name: "Начать" }).click();
  await foreign.locator("#baylanys-input").pressSequentially("Как получить справку о несудимости", { delay: 20 });
  const cross = foreign.locator(`.kb li:has(a[href*="article=${crossSlug}"])`);
  await cross.waitFor({ timeout });
  await foreign.getByRole("heading", { name: "Возможно, это ответ на ваш вопрос" }).waitFor({ timeout });
  await cross.locator("button.kb-q").click();
  await cross.getByRole("button", { name: "Помогло", exact: true }).click();
  await cross.getByText("Спасибо! Отзыв учтён.").waitFor({ timeout });
  await shot(foreign, "widget-ru-embedded");

  // ---- axe-core on every view (the audit is let past the CSP for the test only) ----
  const ax = await (await browser.newContext({ bypassCSP: true })).newPage();
  await ax.goto(base + "/help?lang=kk");
  await ax.locator(".topic").first().waitFor({ timeout });
  await audit(ax, "help, topics (kk)");
  await ax.getByLabel("Сұрағыңызды жазыңыз").fill("куәлігімді ауыстыру");
  await ax.locator("#hits li").first().waitFor({ timeout });
  await audit(ax, "help, search (kk)");
  await ax.goto(`${base}/help?article=${helpSlug}&lang=kk`);
  await ax.getByRole("button", { name: "Иә", exact: true }).waitFor({ timeout });
  await audit(ax, "help, article (kk)");
  await ax.goto(`${base}/help?article=${helpSlug}&lang=ru`);
  await ax.getByRole("button", { name: "Да", exact: true }).waitFor({ timeout });
  await audit(ax, "help, article (ru)");
  await ax.goto(`${base}/help?article=${helpSlug}&lang=en`);
  await ax.getByText("This article is not yet available in English.").waitFor({ timeout });
  await audit(ax, "help, missing language (en)");
  await ax.goto(base + "/chat");
  await ax.getByRole("button", { name: "Бастау" }).click();
  await ax.locator("#baylanys-input").fill("Зейнетақыға шығу жасы қанша?");
  await ax.locator(".kb li button.kb-q").first().click();
  await ax.locator(".kb .kb-a:not([hidden])").waitFor({ timeout });
  await audit(ax, "chat, suggestion open");
  if (found.length) throw new Error("accessibility violations:\n" + found.join("\n"));
  if (problems.length) throw new Error("errors in the pages:\n" + problems.join("\n"));

  console.log("help browser test passed");
} catch (e) {
  if (problems.length) console.error("errors in the pages:\n" + problems.join("\n"));
  if (shots) {
    let i = 0;
    for (const p of browser.contexts().flatMap((c) => c.pages())) {
      await p.screenshot({ path: `${shots}/help-failed-${i++}.png`, fullPage: true }).catch(() => {});
    }
  }
  throw e;
} finally {
  await browser.close();
}

// Browser test of the knowledge base in the console (issue 18): a citizen asks in the web chat
// with a Kazakh word form; the operator accepts, and the "Knowledge" tab beside the conversation
// suggests the article from the client's message; the operator inserts its short answer, which
// goes into the reply with its source line, and sends it; a search by the operator's own words
// finds another article; the console in Russian; the supervisor's usage panel counts the
// insertion. Run by the Rust test `knowledge_console::knowledge_in_the_console_in_chromium`.
import { launch } from "./console-session.mjs";

const base = process.env.BAYLANYS_BASE;
const shots = process.env.BAYLANYS_SCREENSHOTS;
if (!base) throw new Error("BAYLANYS_BASE is required");

const browser = await launch();
const timeout = 15000;
const signIn = async (page, login) => {
  await page.setViewportSize({ width: 1366, height: 768 });
  await page.goto(base + "/console");
  await page.getByRole("button", { name: "Кіру" }).waitFor({ timeout });
  await page.fill("#login-name", login);
  await page.fill("#login-password", login + "-password");
  await page.press("#login-password", "Enter");
  await page.waitForSelector("#app:not([hidden])", { timeout });
};
try {
  const op = await (await browser.newContext()).newPage();
  await signIn(op, "op");
  await op.selectOption("#presence", "online");

  // The citizen asks in Kazakh, in their own words.
  const citizen = await (await browser.newContext()).newPage();
  await citizen.goto(base + "/chat");
  await citizen.getByRole("button", { name: "Бастау" }).click({ timeout });
  await citizen.waitForSelector("#baylanys-input", { timeout });
  const question = "Жеке куәлігімнің мерзімі бітті, қалай ауыстырамын?";
  await citizen.fill("#baylanys-input", question);
  await citizen.press("#baylanys-input", "Enter");
  await citizen.locator(".log li.client", { hasText: "куәлігімнің" }).waitFor({ timeout });

  // The operator accepts by keyboard and opens the Knowledge tab (Alt+G).
  await op.waitForSelector("#offers tbody tr", { timeout });
  await op.keyboard.press("Alt+KeyA");
  await op.waitForSelector("#conversation:not([hidden])", { timeout });
  await op.keyboard.press("Alt+KeyG");
  await op.waitForSelector("#act-knowledge:not([hidden])", { timeout });
  // The tab list comes to the top of the right pane, so the suggestions are in sight.
  await op.waitForFunction(() => document.getElementById("acts").getBoundingClientRect().top < 200, null, { timeout });
  if ((await op.locator("#tab-knowledge").getAttribute("aria-selected")) !== "true") throw new Error("the knowledge tab is not selected");
  const first = op.locator("#kb-hits li").first();
  await op.waitForFunction(() => document.querySelector("#kb-hits li")?.dataset.slug === "id-card-replacement", null, { timeout })
    .catch(async (e) => {
      if (shots) await op.screenshot({ path: shots + "/knowledge-console-failed.png" });
      console.log(JSON.stringify(await op.evaluate(async () => {
        const c = convs.get(active); const a = c.detail.appeal;
        const p = new URLSearchParams({ q: kb.heard, language: a.language, limit: "5", appeal_id: a.id });
        const r1 = await api("GET", "/api/v1/knowledge/search?" + p);
        if (a.topic_id) p.set("topic", a.topic_id);
        const r2 = await api("GET", "/api/v1/knowledge/search?" + p);
        return [a.topic_id, r1.body.map((h) => h.slug), r2.body.map((h) => h.slug)];
      })));
      throw new Error(`no suggestion: ${await op.evaluate("kb.heard")} | ${await op.locator("#kb-status").textContent()} | ${await op.locator("#kb-hits").innerText()} | ${e}`);
    });
  await op.getByText("Клиенттің хабарламасы бойынша ұсыныстар").waitFor({ timeout });
  // The matched words are marked, the source is shown.
  if ((await first.locator("mark").count()) === 0) throw new Error("no matched word marked");
  await first.locator(".kb-source", { hasText: "adilet.zan.kz" }).waitFor({ timeout });
  if (shots) await op.screenshot({ path: shots + "/knowledge-console-kk.png" });

  // What the operator typed stays; the answer goes after it with its source line.
  await op.fill("#reply-text", "Сәлеметсіз бе!");
  await first.getByRole("button", { name: "Қысқа жауапты қою" }).click();
  await op.getByText("Жауапқа дереккөзімен қойылды").waitFor({ timeout });
  const reply = await op.inputValue("#reply-text");
  if (!reply.startsWith("Сәлеметсіз бе!\n\n")) throw new Error("the typed text was not kept first: " + reply);
  if (!/\nДереккөз: .*adilet\.zan\.kz/.test(reply)) throw new Error("no source line: " + reply);
  await op.press("#reply-text", "Enter");
  await citizen.locator(".log li", { hasText: "Дереккөз:" }).waitFor({ timeout });

  // The operator searches by their own words: another article, found by its word forms.
  await op.fill("#kb-q", "жүргізуші куәлігін ауыстыру");
  await op.waitForFunction(() => document.querySelector("#kb-hits li")?.dataset.slug === "driving-licence-replacement", null, { timeout });
  await op.getByText("Іздеу нәтижесі").waitFor({ timeout });
  // A search that finds nothing says so in the console's language.
  await op.fill("#kb-q", "Байқоңыр ғарыш айлағы");
  await op.getByText("Сәйкес мақала табылмады").waitFor({ timeout });

  // In Russian: the tab, the words, the buttons.
  await op.selectOption("#lang", "ru");
  await op.fill("#kb-q", "");
  await op.fill("#kb-q", "замена удостоверения личности");
  await op.waitForFunction(() => document.querySelector("#kb-hits li")?.dataset.slug === "id-card-replacement", null, { timeout });
  await op.getByRole("tab", { name: /База знаний/ }).waitFor({ timeout });
  await op.getByText("Найдено").waitFor({ timeout });
  await op.locator("#kb-hits li").first().getByRole("button", { name: "Вставить полный текст" }).waitFor({ timeout });
  if (shots) await op.screenshot({ path: shots + "/knowledge-console-ru.png" });

  // The supervisor's usage panel counts the insertion and the search that found nothing.
  const sup = await (await browser.newContext()).newPage();
  await signIn(sup, "sup");
  await sup.click("#kbase-open");
  await sup.waitForSelector("#kbase:not([hidden])", { timeout });
  const row = sup.locator("#kb-articles tbody tr", { hasText: "Жеке куәлікті ауыстыру" });
  await row.waitFor({ timeout });
  const cells = await row.locator("td").allTextContents();
  if (cells[2] !== "1") throw new Error("insertions: " + cells.join(" | "));
  await sup.locator("#kb-gaps tbody tr", { hasText: "байконыр гарыш айлагы" }).waitFor({ timeout });
  await sup.locator("#kb-stale tbody tr", { hasText: "Бала тууына" }).first().waitFor({ timeout }).catch(async () => {
    throw new Error("stale articles: " + (await sup.locator("#kb-stale").textContent()));
  });
  if (shots) await sup.screenshot({ path: shots + "/knowledge-usage-kk.png" });
  console.log("browser test passed");
} finally {
  await browser.close();
}

// Browser test of the editors' articles view (issue 18): an editor's console opens on the
// articles, without presence or work; a new article in Kazakh and Russian with its source is
// saved and published; an edit is published as version 2 and compared with version 1; another
// editor's save in between is told, and what this editor typed stays; the view in Russian.
// Run by the Rust test `knowledge_console::articles_are_edited_in_chromium`.
import { launch } from "./console-session.mjs";

const base = process.env.BAYLANYS_BASE;
const admin = process.env.BAYLANYS_ADMIN_TOKEN;
const shots = process.env.BAYLANYS_SCREENSHOTS;
if (!base || !admin) throw new Error("BAYLANYS_BASE and BAYLANYS_ADMIN_TOKEN are required");
const api = async (method, path, body) => {
  const res = await fetch(base + path, {
    method,
    headers: { "content-type": "application/json", authorization: "Bearer " + admin },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
};

const browser = await launch();
const timeout = 15000;
try {
  const page = await (await browser.newContext()).newPage();
  await page.setViewportSize({ width: 1366, height: 768 });
  await page.goto(base + "/console");
  await page.getByRole("button", { name: "Кіру" }).waitFor({ timeout });
  await page.fill("#login-name", "editor");
  await page.fill("#login-password", "editor-password");
  await page.press("#login-password", "Enter");
  // An editor's console opens on the articles; they take no contacts.
  await page.waitForSelector("#articles:not([hidden])", { timeout });
  if (await page.locator("#presence").isVisible()) throw new Error("an editor is offered presence");
  if (await page.locator("#work-open").isVisible()) throw new Error("an editor is offered the work view");
  await page.locator("#ar-list tbody tr").first().waitFor({ timeout });

  // A new article, in Kazakh and Russian, with its source.
  await page.getByRole("button", { name: "Жаңа мақала" }).click();
  await page.fill("#ar-slug", "service-fee");
  await page.fill("#ar-title-kk", "Мемлекеттік баж төлеу");
  await page.fill("#ar-body-kk", "Бажды ХҚКО-да төлеуге болады.\nОнлайн төлеуге де болады.");
  await page.fill("#ar-short-kk", "Бажды ХҚКО-да немесе онлайн төлейсіз.");
  await page.fill("#ar-title-ru", "Оплата госпошлины");
  await page.fill("#ar-body-ru", "Пошлину можно оплатить в ЦОН.");
  await page.fill("#ar-sources", "Салық кодексі | 609-бап | https://adilet.zan.kz/kaz/docs/K1700000120 | 2017-12-25");
  await page.fill("#ar-review", "2027-12-01");
  await page.getByRole("button", { name: "Сақтау" }).click();
  await page.getByText("Сақталды").waitFor({ timeout });
  await page.getByRole("button", { name: "Жариялау" }).click();
  await page.locator("#ar-meta", { hasText: "жарияланған · Жарияланған нұсқа: 1" }).waitFor({ timeout });

  // An edit goes back to draft while version 1 stays served; published again, it is version 2.
  await page.fill("#ar-body-kk", "Бажды ХҚКО-да төлеуге болады.\nОнлайн eGov арқылы төлеуге болады.");
  await page.getByRole("button", { name: "Сақтау" }).click();
  await page.locator("#ar-meta", { hasText: "жоба" }).waitFor({ timeout });
  await page.getByRole("button", { name: "Жариялау" }).click();
  await page.locator("#ar-meta", { hasText: "Жарияланған нұсқа: 2" }).waitFor({ timeout });
  await page.locator('#ar-versions li[data-version="2"]').getByRole("button", { name: "алдыңғысымен салыстыру" }).click();
  await page.locator("#ar-diff p.removed", { hasText: "Онлайн төлеуге де болады." }).waitFor({ timeout });
  await page.locator("#ar-diff p.added", { hasText: "Онлайн eGov арқылы төлеуге болады." }).waitFor({ timeout });
  const served = await (await fetch(`${base}/api/v1/public/knowledge/articles/service-fee?language=kk`)).json();
  if (served.version !== 2 || !served.html.includes("eGov")) throw new Error("served: " + JSON.stringify(served));
  if (shots) await page.screenshot({ path: shots + "/articles-kk.png", fullPage: true });

  // Another editor saves first: told in the console's language; the text typed here stays.
  const id = await page.locator("#ar-list tbody tr[data-slug='service-fee']").getAttribute("data-id");
  const current = await api("GET", `/api/v1/knowledge/articles/${id}`);
  await api("PUT", `/api/v1/knowledge/articles/${id}`, {
    texts: current.texts, tags: ["баж"], sources: current.sources, review_by: current.review_by, revision: current.revision,
  });
  await page.fill("#ar-short-kk", "Менің жаңа қысқа жауабым");
  await page.getByRole("button", { name: "Сақтау" }).click();
  await page.getByText("Мақаланы басқа редактор өзгертті").waitFor({ timeout });
  if ((await page.inputValue("#ar-short-kk")) !== "Менің жаңа қысқа жауабым") throw new Error("the typed text was lost");
  await page.getByRole("button", { name: "Жаңа нұсқасын оқу" }).click();
  await page.waitForFunction(() => document.getElementById("ar-tags").value === "баж", null, { timeout });

  // In Russian.
  await page.selectOption("#lang", "ru");
  await page.getByRole("heading", { name: "Статьи базы знаний" }).waitFor({ timeout });
  await page.getByRole("button", { name: "В архив" }).waitFor({ timeout });
  await page.locator("#ar-meta", { hasText: "черновик · Опубликованная версия: 2" }).waitFor({ timeout });
  await page.locator("#ar-list tbody tr", { hasText: "опубликована" }).first().waitFor({ timeout });
  if (shots) await page.screenshot({ path: shots + "/articles-ru.png" });
  console.log("browser test passed");
} finally {
  await browser.close();
}

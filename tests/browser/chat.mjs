// Browser test of the citizens' chat page and widget: a conversation in real Chromium, an
// operator's reply with HTML in it shown as text, and a reload that resumes the conversation.
import { launch } from "./console-session.mjs";

const base = process.env.BAYLANYS_BASE;
const admin = process.env.BAYLANYS_ADMIN_TOKEN;
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
  await page.goto(base + "/chat");
  // In Kazakh by default: first the optional introduction, keyboard only. A wrong IIN check
  // digit is refused and the form comes back with the error.
  await page.getByRole("button", { name: "Бастау" }).waitFor({ timeout });
  await page.keyboard.press("Tab");
  if ((await page.evaluate(() => document.activeElement && document.activeElement.id)) !== "baylanys-lang") {
    throw new Error("Tab did not reach the language choice first");
  }
  await page.keyboard.press("Tab");
  await page.keyboard.type("Айжан");
  await page.fill("#baylanys-iin", "061211600013");
  await page.press("#baylanys-iin", "Enter");
  await page.getByText("Деректер қате, тексеріп қайталаңыз.").waitFor({ timeout });
  await page.waitForSelector(".baylanys-chat form.intro:not([hidden])", { timeout });
  await page.fill("#baylanys-iin", "061211600012");
  await page.press("#baylanys-iin", "Enter");
  // Starting moved the focus to the message box. Nothing is stored yet: an appeal begins with
  // the first message, not with opening the page.
  await page.waitForSelector(".baylanys-chat form.intro[hidden]", { state: "attached", timeout });
  const focused = await page.evaluate(() => document.activeElement && document.activeElement.id);
  if (focused !== "baylanys-input") throw new Error("focus is not on the message box: " + focused);
  if ((await api("GET", "/api/v1/appeals?channel=web_chat")).items.length !== 0) throw new Error("an appeal before any message");
  await page.keyboard.type("Сәлеметсіз бе, анықтама керек");
  await page.keyboard.press("Enter");
  await page.locator(".log li.client", { hasText: "Сәлеметсіз бе, анықтама керек" }).waitFor({ timeout });
  // Then the appeal's number and the queue status, which says waiting is free.
  await page.getByText(/Өтініш № \d{4}-\d{6}/).waitFor({ timeout });
  await page.getByText(/Күту тегін/).waitFor({ timeout });
  const number = await page.locator(".baylanys-chat .number").textContent();
  if ((await page.getByRole("log").count()) !== 1) throw new Error("no ARIA live log");

  // The operator answers over the API with markup in the text: it must show as text.
  const appeals = await api("GET", "/api/v1/appeals?channel=web_chat&limit=1");
  const appeal = appeals.items[0].id;
  const evil = '<img src=x onerror="window.__xss=1">Жауап <b>дайын</b>';
  await api("POST", `/api/v1/appeals/${appeal}/messages`, { body: evil });
  const reply = page.locator(".log li.operator");
  await reply.waitFor({ timeout });
  const shown = await reply.evaluate((li) => li.lastChild.textContent);
  if (shown !== evil) throw new Error("reply not shown verbatim: " + shown);
  if (await page.evaluate(() => window.__xss === 1)) throw new Error("markup from a message ran");
  if ((await page.locator(".log img, .log b").count()) !== 0) throw new Error("markup was rendered");

  // A reload resumes the same conversation with its whole history.
  await page.reload();
  await page.getByText(number.trim()).waitFor({ timeout });
  await page.locator(".log li.client").waitFor({ timeout });
  await page.locator(".log li.operator").waitFor({ timeout });
  if ((await page.locator(".log li").count()) !== 2) throw new Error("history not replayed exactly once");
  if (process.env.BAYLANYS_SCREENSHOTS) await page.screenshot({ path: process.env.BAYLANYS_SCREENSHOTS + "/chat.png" });
  console.log("chat browser test passed");
} finally {
  await browser.close();
}

// Manual "new user" try (not part of the suite): follows the README against a running server.
import { chromium } from "playwright-core";
import { execSync } from "node:child_process";

const base = process.env.BASE || "http://127.0.0.1:8080";
const restart = process.env.RESTART_CMD; // kills and restarts the server
const shots = "/tmp/newuser";
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu"] });
const timeout = 20000;
try {
  const op = await (await browser.newContext()).newPage();
  await op.goto(base + "/console");
  await op.fill("#login-name", "aigerim");
  await op.fill("#login-password", "operator-pass-1");
  await op.press("#login-password", "Enter");
  await op.waitForSelector("#app:not([hidden])", { timeout });
  await op.selectOption("#presence", "online");

  const kk = await (await browser.newContext()).newPage();
  await kk.goto(base + "/chat");
  await kk.getByRole("button", { name: "Бастау" }).click();
  await kk.fill("#baylanys-input", "Сәлеметсіз бе! Төлқұжат алу үшін не керек?");
  await kk.press("#baylanys-input", "Enter");
  const ru = await (await browser.newContext()).newPage();
  await ru.goto(base + "/chat");
  await ru.selectOption("#baylanys-lang", "ru");
  await ru.getByRole("button", { name: "Начать" }).click();
  await ru.fill("#baylanys-input", "Здравствуйте, как получить справку о несудимости?");
  await ru.press("#baylanys-input", "Enter");

  for (let i = 0; i < 2; i++) {
    await op.locator("#offers tbody tr").first().waitFor({ timeout });
    await op.locator("#offers tbody tr").first().getByRole("button", { name: "Қабылдау" }).click();
    await op.locator("#tabs button").nth(i).waitFor({ timeout });
  }
  for (const [i, text] of [[0, "Сәлеметсіз бе! eGov арқылы өтініш беруге болады."], [1, "Здравствуйте! Справку можно получить на eGov."]]) {
    await op.locator("#tabs button").nth(i).click();
    await op.fill("#reply-text", text);
    await op.press("#reply-text", "Enter");
  }
  await kk.locator(".log li.operator", { hasText: "eGov арқылы" }).waitFor({ timeout });
  await ru.locator(".log li.operator", { hasText: "на eGov" }).waitFor({ timeout });
  await kk.screenshot({ path: shots + "/1-kk.png" });
  await op.screenshot({ path: shots + "/1-console.png", fullPage: true });

  // Kill the server mid-conversation and start it again.
  execSync(restart, { stdio: "inherit" });
  await kk.fill("#baylanys-input", "Рақмет! Тағы бір сұрақ бар.");
  await kk.press("#baylanys-input", "Enter");
  await ru.fill("#baylanys-input", "Спасибо! Ещё вопрос.");
  await ru.press("#baylanys-input", "Enter");
  await op.locator(".conv-log li.client", { hasText: "Тағы бір сұрақ" }).waitFor({ state: "attached", timeout: 60000 });
  await op.locator(".conv-log li.client", { hasText: "Ещё вопрос" }).waitFor({ state: "attached", timeout: 60000 });
  await op.locator("#tabs button").nth(0).click();
  await op.fill("#reply-text", "Әрине, сұраңыз.");
  await op.press("#reply-text", "Enter");
  await kk.locator(".log li.operator", { hasText: "Әрине" }).waitFor({ timeout: 30000 });
  // Reload both citizen pages: everything is in place, once.
  await kk.reload();
  await kk.locator(".log li.operator", { hasText: "Әрине" }).waitFor({ timeout });
  const kkLog = await kk.locator(".log li").evaluateAll((l) => l.map((x) => x.textContent));
  console.log("kk log:", JSON.stringify(kkLog));
  await ru.reload();
  await ru.locator(".log li.client", { hasText: "Ещё вопрос" }).waitFor({ timeout });
  const ruLog = await ru.locator(".log li").evaluateAll((l) => l.map((x) => x.textContent));
  console.log("ru log:", JSON.stringify(ruLog));
  await kk.screenshot({ path: shots + "/2-kk-after-restart.png" });
  await op.screenshot({ path: shots + "/2-console-after-restart.png", fullPage: true });
  console.log("new-user try passed");
} finally {
  await browser.close();
}

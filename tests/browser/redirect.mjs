// The redirection story in real Chromium (run by `browser::redirection_in_chromium`): a citizen
// writes in Kazakh at /chat; an operator takes the chat at /console and redirects it to a
// ministry and its department; the ministry's officer signs in to the console, sees only their
// body's appeal, accepts it and answers; the citizen is told each step in Kazakh in the chat.
import { launch } from "./console-session.mjs";

const base = process.env.BAYLANYS_BASE;
const shots = process.env.BAYLANYS_SCREENSHOTS;
if (!base) throw new Error("BAYLANYS_BASE is required");
const browser = await launch();
const timeout = 15000;
const signIn = async (page, login) => {
  await page.goto(base + "/console");
  await page.fill("#login-name", login);
  await page.fill("#login-password", login + "-password");
  await page.press("#login-password", "Enter");
  await page.waitForSelector("#app:not([hidden])", { timeout });
};
try {
  const citizen = await (await browser.newContext()).newPage();
  await citizen.goto(base + "/chat");
  await citizen.getByRole("button", { name: "Бастау" }).click();
  await citizen.fill("#baylanys-input", "Жылжымайтын мүлікті тіркеу туралы сұрақ");
  await citizen.press("#baylanys-input", "Enter");
  await citizen.locator(".log li.client").waitFor({ timeout });

  const op = await (await browser.newContext()).newPage();
  await signIn(op, "op");
  await op.selectOption("#presence", "online");
  await op.locator("#offers tbody tr").first().getByRole("button", { name: "Қабылдау" }).click();
  await op.locator(".conv-log:not([hidden]) li.client", { hasText: "мүлікті тіркеу" }).waitFor({ timeout });
  await op.click("#tab-redirect");
  await op.selectOption("#redirect-body", { label: "Қазақстан Республикасының Әділет министрлігі" });
  await op.locator("#redirect-dept option", { hasText: "Тіркеу қызметі департаменті" }).waitFor({ state: "attached", timeout });
  await op.selectOption("#redirect-dept", { label: "Тіркеу қызметі департаменті" });
  await op.fill("#redirect-reason", "Әділет министрлігінің құзыреті");
  await op.getByRole("button", { name: "Органға жіберу" }).click();
  await op.locator("#conv-fields", { hasText: "Мәртебесі: жіберілді" }).waitFor({ timeout });
  await citizen.locator(".log li.system", { hasText: "Әділет министрлігі» органына жіберілді" }).waitFor({ timeout });
  await citizen.locator(".log li.system", { hasText: "Департамент директоры" }).waitFor({ timeout });

  // The ministry's officer sees the appeal of their body, accepts it, answers.
  const officer = await (await browser.newContext()).newPage();
  await signIn(officer, "minjust");
  await officer.getByText("Органның өтініштері").waitFor({ timeout });
  await officer.locator("#mine button").first().click();
  await officer.locator(".conv-log:not([hidden]) li.client", { hasText: "мүлікті тіркеу" }).waitFor({ timeout });
  if (await officer.locator("#transfer").isVisible()) throw new Error("centre-only actions shown to a body officer");
  for (const tab of ["#tab-transfer", "#tab-redirect", "#tab-complaint"]) {
    if (await officer.locator(tab).isVisible()) throw new Error("a centre-only tab shown to a body officer: " + tab);
  }
  await officer.getByRole("button", { name: "Өтінішті қабылдау" }).click();
  await officer.locator("#conv-fields", { hasText: "Мәртебесі: қаралуда" }).waitFor({ timeout });
  await officer.fill("#answer-text", "Тіркеу eGov порталы арқылы 1 жұмыс күнінде жүргізіледі.");
  await officer.getByRole("button", { name: "Азаматқа жауап беру" }).click();
  await citizen.locator(".log li.system", { hasText: "жауап берілді: Тіркеу eGov порталы" }).waitFor({ timeout });
  // The satisfaction survey follows the answer: the citizen rates it 5, once (R5.7).
  await citizen.getByRole("button", { name: "Баға: 5" }).click();
  await citizen.locator(".log", { hasText: "Бағаңызға рақмет!" }).waitFor({ timeout });
  if (shots) {
    await officer.screenshot({ path: shots + "/redirect-officer.png", fullPage: true });
    await citizen.screenshot({ path: shots + "/redirect-citizen.png" });
  }
  console.log("redirect browser test passed");
} finally {
  await browser.close();
}

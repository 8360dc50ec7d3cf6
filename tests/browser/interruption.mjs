// The service interruption switch (R34) in Chromium (run by
// `service_interruption::the_switch_in_chromium`): the supervisor, in Kazakh, is refused a
// switch without texts and a recording that is not a sound file's address — each said in
// Kazakh — then switches it on with an expected return; the red mark shows in the header, and
// in Russian the panel has no Kazakh words. The operator sees the mark (its words in the
// tooltip) and no switch. A citizen opening the web chat, in Kazakh and in Russian, sees the
// notice in their language before writing. The supervisor switches it off; the mark goes.
import { launch, signIn as consoleSignIn, timeout } from "./console-session.mjs";

const base = process.env.BAYLANYS_BASE;
const shots = process.env.BAYLANYS_SCREENSHOTS;
const resumes = process.env.BAYLANYS_RESUMES; // "YYYY-MM-DDTHH:MM", Astana time
const kk = process.env.BAYLANYS_KK;
const ru = process.env.BAYLANYS_RU;
if (!base || !resumes || !kk || !ru) throw new Error("BAYLANYS_BASE, _RESUMES, _KK and _RU are required");
const browser = await launch();
const kazakhLetters = /[әғқңөұүһі]/i;

const signIn = (login) => consoleSignIn(browser, base, login, { width: 1366, height: 768 });

async function citizen(language, expected) {
  const page = await (await browser.newContext()).newPage();
  await page.goto(base + "/chat");
  await page.selectOption("#baylanys-lang", language);
  await page.locator(".baylanys-chat form.intro button[type=submit]").click();
  const banner = page.locator(".baylanys-chat .outage");
  await banner.waitFor({ state: "visible", timeout });
  const text = await banner.textContent();
  for (const part of expected) if (!text.includes(part)) throw new Error(`the web chat's notice (${language}) lacks ${part}: ${text}`);
  if (shots) await page.screenshot({ path: `${shots}/interruption-chat-${language}.png` });
  await page.context().close();
}

try {
  const sup = await signIn("sup");
  await sup.click("#outage-open");
  await sup.locator("#outage-h").waitFor({ timeout });
  if ((await sup.locator("#outage-h").textContent()) !== "Қызмет үзілісі") throw new Error("the panel's title (kk)");
  await sup.locator("#ou-state", { hasText: "Өшірулі." }).waitFor({ timeout });

  // Refused, in Kazakh: nothing written; then a recording that is no sound file's address.
  await sup.click("#ou-on");
  await sup.locator("#ou-error", { hasText: "Қосу үшін қазақша және орысша мәтін керек." }).waitFor({ timeout });
  await sup.fill("#ou-kk", kk);
  await sup.fill("#ou-ru", ru);
  await sup.fill("#ou-resumes", resumes);
  await sup.click("#ou-form summary");
  await sup.fill("#ou-audio-kk", "javascript:alert(1)");
  await sup.click("#ou-on");
  await sup.locator("#ou-error", { hasText: "Жазба мекенжайы http(s):// не file:// болуы керек" }).waitFor({ timeout });
  if (await sup.locator("#outage-mark").isVisible()) throw new Error("the mark after a refusal");
  await sup.fill("#ou-audio-kk", "");

  // On: the state, the mark, the button now saves.
  await sup.click("#ou-on");
  await sup.locator("#ou-state", { hasText: /^Қосулы, .+ бастап\.$/ }).waitFor({ timeout });
  await sup.locator("#outage-mark", { hasText: "⚠ Қызмет үзілген" }).waitFor({ timeout });
  if ((await sup.locator("#ou-on").textContent()) !== "Сақтау") throw new Error("the switch did not become Save");
  if ((await sup.locator("#ou-error").textContent()) !== "") throw new Error("an error left after switching on");
  if (shots) await sup.screenshot({ path: shots + "/interruption-kk.png" });

  // In Russian: the panel and the mark, without Kazakh words (the Kazakh text is in its box).
  await sup.selectOption("#lang", "ru");
  await sup.locator("#outage-mark", { hasText: "⚠ Сервис прерван" }).waitFor({ timeout });
  await sup.locator("#ou-state", { hasText: /^Включён с .+\.$/ }).waitFor({ timeout });
  const panel = await sup.locator("#outage").innerText();
  if (kazakhLetters.test(panel)) throw new Error("Kazakh words on the Russian panel: " + panel);
  if ((await sup.locator("#outage-mark").getAttribute("title")) !== ru) throw new Error("the mark's tooltip (ru)");
  if (shots) await sup.screenshot({ path: shots + "/interruption-ru.png" });

  // The operator: the mark with the Kazakh words, no switch.
  const op = await signIn("op");
  await op.locator("#outage-mark", { hasText: "⚠ Қызмет үзілген" }).waitFor({ timeout });
  if ((await op.locator("#outage-mark").getAttribute("title")) !== kk) throw new Error("the operator's tooltip (kk)");
  if (await op.locator("#outage-open").isVisible()) throw new Error("the operator has the switch");

  // Citizens, before writing a word: in Kazakh, in Russian.
  const [day, time] = resumes.split("T");
  const local = `${day.split("-").reverse().join(".")} ${time}`;
  await citizen("kk", [kk, `Қызмет шамамен ${local} қалпына келеді.`, "@gov_kz_bot"]);
  await citizen("ru", [ru, `Ожидаемое время возобновления: ${local}.`, "@gov_kz_bot"]);

  // Off: the mark goes, for the supervisor at once and for the operator within its next look.
  await sup.click("#ou-off");
  await sup.locator("#ou-state", { hasText: "Выключен." }).waitFor({ timeout });
  await sup.locator("#outage-mark").waitFor({ state: "hidden", timeout });
  await op.reload();
  await op.waitForSelector("#app:not([hidden])", { timeout });
  await op.waitForTimeout(1000);
  if (await op.locator("#outage-mark").isVisible()) throw new Error("the operator's mark after the switch-off");
  console.log("browser test passed");
} finally {
  await browser.close();
}

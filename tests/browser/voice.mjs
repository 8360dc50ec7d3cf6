// A call in the operator's console, in real Chromium (run by
// `voice_console::a_call_in_chromium`). The Rust side plays the TwiML provider: one caller went
// through the Kazakh voice menu (the hours, then the operator) and waits; another asked to be
// called back. An operator goes online and accepts the ringing call: the client card shows the
// number the call came from, where the call stands and the way through the menu — in Kazakh,
// then Russian, with no raw API value. The callbacks panel lists the request; the operator
// records that nobody answered, and the attempt is counted.
import { chromium } from "playwright-core";

const base = process.env.BAYLANYS_BASE;
const shots = process.env.BAYLANYS_SCREENSHOTS;
const caller = process.env.BAYLANYS_CALLER;
const callback = process.env.BAYLANYS_CALLBACK;
if (!base || !caller || !callback) throw new Error("BAYLANYS_BASE, _CALLER and _CALLBACK are required");
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run"],
});
const timeout = 15000;
const eq = (what, got, want) => {
  if (JSON.stringify(got) !== JSON.stringify(want)) {
    throw new Error(`${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  }
};
const call = (page) => page.locator("#client-card .vc-call").innerText();

try {
  const op = await (await browser.newContext({ viewport: { width: 1366, height: 900 } })).newPage();
  await op.goto(base + "/console");
  await op.fill("#login-name", "op");
  await op.fill("#login-password", "op-password");
  await op.press("#login-password", "Enter");
  await op.waitForSelector("#app:not([hidden])", { timeout });
  await op.selectOption("#presence", "online");
  const offer = op.locator("#offers tbody tr").first();
  await offer.waitFor({ timeout });
  await offer.locator(".vc-offer").waitFor({ timeout });
  eq("the ringing call (kk)", await offer.locator("td").first().innerText(), `телефон\n${caller} · Жұмыс уақыты › Оператор`);
  await offer.getByRole("button", { name: "Қабылдау" }).click();
  await op.waitForSelector("#conversation:not([hidden])", { timeout });
  await op.locator("#client-card .vc-call").waitFor({ timeout });
  eq("the call (kk)", await call(op),
    `Қоңырау нөмірден ${caller} · сөйлесуде\nМәзірдегі жолы: Жұмыс уақыты › Оператор`);
  const fields = await op.locator("#conv-fields").textContent();
  if (/voice|request|\bnew\b|: kk/.test(fields)) throw new Error("raw values (kk): " + fields);
  if (!fields.includes("телефон")) throw new Error("fields (kk): " + fields);

  // The callback request, and an attempt nobody answered.
  const row = op.locator("#callbacks-list tbody tr", { hasText: callback });
  await row.waitFor({ timeout });
  eq("the callback's language (kk)", await row.locator("td").nth(2).textContent(), "қазақша");
  if (shots) await op.screenshot({ path: shots + "/voice-kk.png", fullPage: true });
  await row.getByRole("button", { name: "Жауап бермеді" }).click();
  await op.waitForFunction(() => document.querySelector("#callbacks-said")?.textContent === "Сақталды", null, { timeout });
  await op.waitForFunction((n) => [...document.querySelectorAll("#callbacks-list tbody tr")]
    .some((tr) => tr.cells[0].textContent === n && tr.cells[3].textContent === "1"), callback, { timeout });

  await op.selectOption("#lang", "ru");
  await op.waitForFunction(() => document.querySelector("#client-card .vc-call")?.innerText.startsWith("Звонок"), null, { timeout });
  eq("the call (ru)", await call(op),
    `Звонок с номера ${caller} · идёт разговор\nПуть в меню: Жұмыс уақыты › Оператор`);
  eq("the callbacks heading (ru)", await op.locator("#callbacks-h").textContent(), "Заказанные обратные звонки");
  eq("the outcome said (ru)", await op.locator("#callbacks-said").textContent(), "Сохранено");
  const cells = await op.locator("#callbacks-list tbody tr").first().locator("button").allTextContents();
  eq("the callback's buttons (ru)", cells, ["Обращение", "Дозвонились", "Не ответил", "Занято", "Отменить"]);
  if (shots) await op.screenshot({ path: shots + "/voice-ru.png", fullPage: true });
  console.log("browser test passed");
} finally {
  await browser.close();
}

// A call in the operator's console, in real Chromium (run by
// `voice_console::a_call_in_chromium`). The Rust side plays the TwiML provider: one caller went
// through the Kazakh voice menu (the hours, then the operator) and waits; another asked to be
// called back. An operator goes online and accepts the ringing call: the client card shows the
// number the call came from, where the call stands and the way through the menu — in Kazakh,
// then Russian, with no raw API value. The callbacks panel lists the request with the opening
// line in the caller's language (R13); the operator records that nobody answered, and the
// attempt is counted. This centre has no PBX to place calls: "call" says so in the console's
// language and goes away.
import { launch, signIn, timeout } from "./console-session.mjs";

const base = process.env.BAYLANYS_BASE;
const shots = process.env.BAYLANYS_SCREENSHOTS;
const caller = process.env.BAYLANYS_CALLER;
const callback = process.env.BAYLANYS_CALLBACK;
if (!base || !caller || !callback) throw new Error("BAYLANYS_BASE, _CALLER and _CALLBACK are required");
const browser = await launch();
const eq = (what, got, want) => {
  if (JSON.stringify(got) !== JSON.stringify(want)) {
    throw new Error(`${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  }
};
// The call's lines (not its buttons).
const call = async (page) => (await page.locator("#client-card .vc-call > div:not(.vc-hold)").allInnerTexts()).join("\n");

try {
  const op = await signIn(browser, base, "op");
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
  const row = op.locator("#callbacks-list tbody[data-id]", { hasText: callback });
  await row.waitFor({ timeout });
  eq("the callback's language (kk)", await row.locator("td").nth(2).textContent(), "қазақша");
  const line = await op.locator("#callbacks-list .vc-opening").first().textContent();
  if (!/^Алғашқы сөз: «Сәлеметсіз бе! Бұл — байланыс орталығы\. Сіз .+ кері қоңырау шалуды сұрадыңыз/.test(line)) {
    throw new Error("the opening line (kk): " + line);
  }
  if (shots) await op.screenshot({ path: shots + "/voice-kk.png", fullPage: true });
  await row.getByRole("button", { name: "Жауап бермеді" }).click();
  await op.waitForFunction(() => document.querySelector("#callbacks-said")?.textContent === "Сақталды", null, { timeout });
  await op.waitForFunction((n) => [...document.querySelectorAll("#callbacks-list tbody[data-id]")]
    .some((b) => b.rows[0].cells[0].textContent === n && b.querySelector(".vc-attempts")?.textContent === "Әрекет саны: 1"), callback, { timeout });
  await row.getByRole("button", { name: "Қоңырау шалу" }).click();
  await op.waitForFunction(() => document.querySelector("#callbacks-said")?.textContent.startsWith("Қабылданбады: АТС арқылы"), null, { timeout });
  await op.waitForFunction(() => !document.querySelector("#callbacks-list .vc-place"), null, { timeout });

  // Calling the client of the open appeal, with a reason: this centre has no PBX, so it says
  // so, and the reason typed stays in the box.
  const callBox = op.locator("#client-card .vc-call-client");
  await callBox.locator("summary").click();
  eq("the call form (kk)", await callBox.locator("summary").textContent(), "Клиентке қоңырау шалу");
  await callBox.locator("input").fill("Құжаттарды нақтылау");
  await callBox.getByRole("button", { name: "Қоңырау шалу" }).click();
  await op.waitForFunction(() => document.querySelector("#client-card .vc-call-client [role=status]")?.textContent.startsWith("Қабылданбады: АТС арқылы"), null, { timeout });
  eq("the reason kept", await callBox.locator("input").inputValue(), "Құжаттарды нақтылау");
  // A redraw of the appeal's panel (here: the language switched and back) keeps what was typed.
  await callBox.locator("input").fill("Құжаттарды нақтылау керек");
  await op.selectOption("#lang", "en");
  await op.selectOption("#lang", "kk");
  eq("the reason kept through a redraw", await op.locator("#client-card .vc-call-client input").inputValue(), "Құжаттарды нақтылау керек");
  if (shots) await op.locator("#client-card").screenshot({ path: shots + "/voice-call-client-kk.png" });

  await op.selectOption("#lang", "ru");
  await op.waitForFunction(() => document.querySelector("#client-card .vc-call")?.innerText.startsWith("Звонок"), null, { timeout });
  eq("the call (ru)", await call(op),
    `Звонок с номера ${caller} · идёт разговор\nПуть в меню: Жұмыс уақыты › Оператор`);
  eq("the callbacks heading (ru)", await op.locator("#callbacks-h").textContent(), "Заказанные обратные звонки");
  eq("the outcome said (ru)", await op.locator("#callbacks-said").textContent(),
    "Не принято: звонок через АТС сейчас невозможен — позвоните со своего телефона и отметьте результат");
  const cells = await op.locator("#callbacks-list tbody[data-id]").first().locator("button").allTextContents();
  eq("the callback's buttons (ru)", cells, ["Обращение", "Дозвонились", "Не ответил", "Занято", "Отменить"]);
  if (shots) await op.screenshot({ path: shots + "/voice-ru.png", fullPage: true });
  console.log("browser test passed");
} finally {
  await browser.close();
}

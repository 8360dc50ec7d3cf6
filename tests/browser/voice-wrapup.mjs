// The end of the call (run by `voice_console::a_call_in_chromium`): the operator has the call
// open while talking; the provider reports the operator's leg ended (the signed request the
// Rust side prepared, sent here when the page is ready), and the open card turns to the
// after-call work by itself — the socket's `contacts` frame, no reload — with a running clock;
// finishing it ends the contact (the handling time, report row 19).
import { launch, signIn, timeout } from "./console-session.mjs";

const base = process.env.BAYLANYS_BASE;
const shots = process.env.BAYLANYS_SCREENSHOTS;
const caller = process.env.BAYLANYS_CALLER;
const end = { url: process.env.BAYLANYS_END_URL, body: process.env.BAYLANYS_END_BODY, sig: process.env.BAYLANYS_END_SIGNATURE };
if (!base || !caller || !end.url || !end.body || !end.sig) throw new Error("BAYLANYS_BASE, _CALLER and _END_* are required");
const browser = await launch();
try {
  const op = await signIn(browser, base, "op");
  await op.locator("#mine button").first().click();
  const call = op.locator("#client-card .vc-call");
  await call.waitFor({ timeout });
  const talking = await call.locator("div").first().innerText();
  if (!talking.endsWith("· сөйлесуде")) throw new Error("the call before its end (kk): " + talking);
  // The provider: the operator's leg ended.
  const r = await fetch(end.url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": end.sig },
    body: end.body,
  });
  const xml = await r.text();
  if (!r.ok || !xml.includes("<Hangup")) throw new Error(`the provider's report: ${r.status} ${xml}`);
  await op.waitForFunction(() => document.querySelector("#client-card .vc-call div")?.innerText.includes("кейінгі жұмыс"), null, { timeout });
  const head = await call.locator("div").first().innerText();
  // The clock counts up, and down to the centre's limit (three minutes by default).
  const m = head.match(new RegExp(`^Қоңырау нөмірден \\${caller} · қоңырау аяқталды, кейінгі жұмыс (\\d\\d):(\\d\\d) · (\\d\\d):(\\d\\d) қалды$`));
  if (!m) throw new Error("the after-call work (kk): " + head);
  const total = (+m[1] * 60 + +m[2]) + (+m[3] * 60 + +m[4]);
  if (total < 179 || total > 181) throw new Error("elapsed and left do not add up to the limit: " + head);
  const hint = await call.locator(".vc-wrap-clock").getAttribute("title");
  if (hint !== "Кейінгі жұмыс 03:00 кейін өздігінен аяқталады (орталықтың шегі)") throw new Error("the limit's hint: " + hint);
  if (shots) await op.locator("#client-card").screenshot({ path: shots + "/voice-wrapup-kk.png" });
  // The same card in Russian, then back.
  await op.selectOption("#lang", "ru");
  await op.waitForFunction(() => document.querySelector("#client-card .vc-call div")?.innerText.includes("звонок завершён, постобработка"), null, { timeout });
  if (await op.getByRole("button", { name: "Завершить постобработку" }).count() !== 1) throw new Error("the finish button (ru)");
  if (shots) await op.locator("#client-card").screenshot({ path: shots + "/voice-wrapup-ru.png" });
  await op.selectOption("#lang", "kk");
  await op.getByRole("button", { name: "Кейінгі жұмысты аяқтау" }).click();
  await op.waitForFunction(() => document.querySelector("#client-card .vc-call div")?.innerText.endsWith("· аяқталды"), null, { timeout });
  if (await op.getByRole("button", { name: "Кейінгі жұмысты аяқтау" }).count() !== 0) throw new Error("the finish button stayed");
  console.log("browser test passed");
} finally {
  await browser.close();
}

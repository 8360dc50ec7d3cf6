// After the call (run by `voice_console::a_call_in_chromium`, once the Rust side ended the
// operator's leg): the operator reopens the appeal; the call shows its after-call work with a
// running clock, and finishing it ends the contact (the handling time, report row 19).
import { launch, signIn, timeout } from "./console-session.mjs";

const base = process.env.BAYLANYS_BASE;
const shots = process.env.BAYLANYS_SCREENSHOTS;
const caller = process.env.BAYLANYS_CALLER;
if (!base || !caller) throw new Error("BAYLANYS_BASE and _CALLER are required");
const browser = await launch();
try {
  const op = await signIn(browser, base, "op");
  await op.locator("#mine button").first().click();
  const call = op.locator("#client-card .vc-call");
  await call.waitFor({ timeout });
  const head = await call.locator("div").first().innerText();
  // The clock counts up, and down to the centre's limit (three minutes by default).
  const m = head.match(new RegExp(`^Қоңырау нөмірден \\${caller} · қоңырау аяқталды, кейінгі жұмыс (\\d\\d):(\\d\\d) · (\\d\\d):(\\d\\d) қалды$`));
  if (!m) throw new Error("the after-call work (kk): " + head);
  const total = (+m[1] * 60 + +m[2]) + (+m[3] * 60 + +m[4]);
  if (total < 179 || total > 181) throw new Error("elapsed and left do not add up to the limit: " + head);
  const hint = await call.locator(".vc-wrap-clock").getAttribute("title");
  if (hint !== "Кейінгі жұмыс 03:00 кейін өздігінен аяқталады (орталықтың шегі)") throw new Error("the limit's hint: " + hint);
  if (shots) await op.locator("#client-card").screenshot({ path: shots + "/voice-wrapup-kk.png" });
  await op.getByRole("button", { name: "Кейінгі жұмысты аяқтау" }).click();
  await op.waitForFunction(() => document.querySelector("#client-card .vc-call div")?.innerText.endsWith("· аяқталды"), null, { timeout });
  if (await op.getByRole("button", { name: "Кейінгі жұмысты аяқтау" }).count() !== 0) throw new Error("the finish button stayed");
  console.log("browser test passed");
} finally {
  await browser.close();
}

// A call's recording in the console (run by `voice_console::a_call_in_chromium`, once the Rust
// side stored the recording of the call the operator took and assigned its appeal to the
// supervisor): the supervisor opens the appeal, sees the recording with how long it is kept,
// and plays it — in Kazakh, then Russian, and switching the language does not cut the audio
// off (the row being listened to is not redrawn).
import { launch, signIn, timeout } from "./console-session.mjs";

const base = process.env.BAYLANYS_BASE;
const shots = process.env.BAYLANYS_SCREENSHOTS;
if (!base) throw new Error("BAYLANYS_BASE is required");
const browser = await launch(["--autoplay-policy=no-user-gesture-required"]);
try {
  const sup = await signIn(browser, base, "sup");
  await sup.locator("#mine button").first().click();
  const list = sup.locator("#client-card .vc-recordings");
  await list.waitFor({ timeout });
  const title = await list.locator(".vc-rec-title").textContent();
  if (title !== "Сөйлесу жазбалары") throw new Error("the recordings (kk): " + title);
  const row = await list.locator("[data-id]").first().innerText();
  if (!/· 1 сек · (\d{4}-\d\d-\d\d|\d\d\.\d\d\.\d{4}) дейін сақталады\s+Тыңдау$/.test(row)) throw new Error("the recording's row (kk): " + row);
  await list.getByRole("button", { name: "Тыңдау" }).click();
  const audio = list.locator("audio");
  await audio.waitFor({ timeout });
  // The file the provider gave: one second of 8 kHz audio.
  await sup.waitForFunction(() => document.querySelector("#client-card .vc-recordings audio")?.duration > 0, null, { timeout })
    .catch(async (e) => {
      const st = await audio.evaluate((a) => JSON.stringify({ err: a.error && [a.error.code, a.error.message], rs: a.readyState, ns: a.networkState, src: a.src }));
      throw new Error("the audio did not load: " + st + " " + e.message);
    });
  const secs = await audio.evaluate((a) => a.duration);
  if (Math.abs(secs - 1) > 0.05) throw new Error("the audio's length: " + secs);
  if (shots) await sup.locator("#client-card").screenshot({ path: shots + "/voice-recording-kk.png" });
  await audio.evaluate((a) => { a.dataset.mark = "kept"; });
  await sup.selectOption("#lang", "ru");
  await sup.waitForFunction(() => document.querySelector("#client-card .vc-rec-title")?.textContent === "Записи разговоров", null, { timeout });
  const kept = await sup.locator("#client-card .vc-recordings audio[data-mark=kept]").count();
  if (kept !== 1) throw new Error("the audio was redrawn away on a language switch");
  await sup.waitForFunction(() => /хранится до/.test(document.querySelector("#client-card .vc-recordings [data-id]")?.innerText), null, { timeout });
  const ru = await sup.locator("#client-card").innerText();
  if (/[әғқңөұүһі]/i.test(ru.replace(/Жұмыс уақыты/g, ""))) throw new Error("Kazakh words on the Russian screen: " + ru);
  if (shots) await sup.locator("#client-card").screenshot({ path: shots + "/voice-recording-ru.png" });
  console.log("browser test passed");
} finally {
  await browser.close();
}

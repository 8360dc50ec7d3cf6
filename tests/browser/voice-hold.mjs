// Hold from the console (run by `voice_console::a_call_in_chromium`, once the Rust side put the
// caller through to the operator's phone): the operator reopens the appeal and presses "hold".
// The provider refuses the first time — said in Kazakh, nothing changes; the second try holds
// (the button becomes "take back", a clock runs), and the caller is taken back.
import { launch, signIn, timeout } from "./console-session.mjs";

const base = process.env.BAYLANYS_BASE;
const shots = process.env.BAYLANYS_SCREENSHOTS;
if (!base) throw new Error("BAYLANYS_BASE is required");
const browser = await launch();
try {
  const op = await signIn(browser, base, "op");
  await op.locator("#mine button").first().click();
  const hold = op.locator("#client-card .vc-hold");
  await hold.getByRole("button", { name: "Күтуге қою" }).click();
  await op.waitForFunction(() => document.querySelector("#client-card .vc-hold [role=status]")?.textContent.trim() === "телефон провайдері қоңырауды алмады — қайталап көріңіз", null, { timeout });
  await hold.getByRole("button", { name: "Күтуге қою" }).click();
  await op.locator("#client-card .vc-hold").getByRole("button", { name: "Күтуден қайтару" }).waitFor({ timeout })
    .catch(async (e) => { throw new Error("not held: " + await op.locator("#client-card .vc-hold").innerText() + " " + e.message); });
  const heldText = await op.locator("#client-card .vc-hold [role=status]").textContent();
  if (!/^ клиент күту режимінде, 00:0\d$/.test(heldText)) throw new Error("on hold (kk): " + heldText);
  if (shots) await op.locator("#client-card").screenshot({ path: shots + "/voice-hold-kk.png" });
  await op.locator("#client-card .vc-hold").getByRole("button", { name: "Күтуден қайтару" }).click();
  await op.locator("#client-card .vc-hold").getByRole("button", { name: "Күтуге қою" }).waitFor({ timeout });
  await op.selectOption("#lang", "ru");
  await op.locator("#client-card .vc-hold").getByRole("button", { name: "Поставить на удержание" }).waitFor({ timeout });
  console.log("browser test passed");
} finally {
  await browser.close();
}

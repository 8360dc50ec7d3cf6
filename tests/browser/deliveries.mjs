// Delivery state in real Chromium (run by `browser::deliveries_in_chromium`). The Rust side runs a
// centre whose mail server is down and whose SMS gateway works, registers an appeal for a client
// with an e-mail and a phone and redirects it to a body that takes appeals by e-mail: the
// registration notice's e-mail fails and its SMS fallback is sent, and so for the notice of the
// redirection; the letter to the body fails. A supervisor opens the console's Deliveries panel,
// sees the three failed deliveries, opens the appeal from one of them and reads under the notice
// "e-mail: failed — <error> → SMS: sent" and under the appeal's fields the failed letter to the
// body, in Kazakh and Russian; presses Retry: the server answers pending, the row leaves the list
// and the notice shows the e-mail queued; it fails again by itself and comes back on Refresh. An
// operator has no Deliveries panel.
import { launch } from "./console-session.mjs";

const base = process.env.BAYLANYS_BASE;
const shots = process.env.BAYLANYS_SCREENSHOTS;
const appealId = process.env.BAYLANYS_APPEAL;
const notice = process.env.BAYLANYS_NOTICE; // the registration notice's message id
const failed = process.env.BAYLANYS_FAILED; // its e-mail delivery, failed
const fallback = process.env.BAYLANYS_FALLBACK; // its SMS fallback, sent
const letter = process.env.BAYLANYS_LETTER; // the redirection's e-mail to the body, failed
if (!base || !appealId || !notice || !failed || !fallback || !letter) {
  throw new Error("BAYLANYS_BASE, _APPEAL, _NOTICE, _FAILED, _FALLBACK and _LETTER are required");
}
const browser = await launch();
const timeout = 15000;
const signIn = async (page, login) => {
  await page.goto(base + "/console");
  await page.fill("#login-name", login);
  await page.fill("#login-password", login + "-password");
  await page.press("#login-password", "Enter");
  await page.waitForSelector("#app:not([hidden])", { timeout });
};
const eq = (what, got, want) => {
  if (JSON.stringify(got) !== JSON.stringify(want)) {
    throw new Error(`${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  }
};
const like = (what, got, re) => {
  if (!re.test(got)) throw new Error(`${what}: ${JSON.stringify(got)} does not match ${re}`);
};
// Waits until the element's whole text matches.
const textMatches = async (page, selector, re) => {
  const el = page.locator(selector);
  const until = Date.now() + timeout;
  let got;
  while (!re.test((got = ((await el.count()) ? await el.first().textContent() : "").trim()))) {
    if (Date.now() > until) throw new Error(`${selector}: ${JSON.stringify(got)} does not match ${re}`);
    await page.waitForTimeout(50);
  }
  return got;
};
// The failed list: [delivery id, appeal id, recipient, method, address, attempts, error?] by row.
const rows = (page) => page.$$eval("#dl-list tbody tr", (trs) => trs.map((tr) => [
  tr.dataset.id, tr.dataset.appeal, tr.cells[1].textContent, tr.cells[2].textContent,
  tr.cells[3].textContent, tr.cells[4].textContent, tr.cells[5].textContent.length > 0,
]));
// The delivery line under an entry of the open conversation: [id, method, state] of each step.
const steps = (page, selector) => page.$$eval(`${selector} .delivery > span`, (ss) => ss.map((s) => [
  s.dataset.id, s.dataset.method, s.dataset.state,
]));
const noticeLine = `.conv-log:not([hidden]) li[data-message="${notice}"] .delivery`;

try {
  const sup = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await signIn(sup, "sup");
  await sup.getByRole("button", { name: "Жеткізу" }).click();
  await sup.getByRole("heading", { name: "Жеткізілмеген хабарламалар" }).waitFor({ timeout });
  await sup.locator(`#dl-list tr[data-id="${failed}"]`).waitFor({ timeout });
  // The two notices' e-mails and the letter to the body, each tried three times, each with the mail
  // server's error.
  const list = await rows(sup);
  eq("failed deliveries", list.length, 3);
  eq("the registration notice's e-mail", list.find((r) => r[0] === failed),
    [failed, appealId, "клиент", "✉ e-mail", "dauren@example.kz", "3", true]);
  eq("the letter to the body", list.find((r) => r[0] === letter),
    [letter, appealId, "орган", "✉ e-mail", "kense@enbek.example.kz", "3", true]);
  eq("every row of the appeal", list.map((r) => r[1]), [appealId, appealId, appealId]);
  if (shots) await sup.screenshot({ path: shots + "/deliveries-kk.png", fullPage: true });

  // The appeal opens from the list; under its notice, the failed e-mail and the SMS that carried it.
  await sup.locator(`#dl-list tr[data-id="${failed}"] td:first-child button`).click();
  await sup.waitForSelector("#conversation:not([hidden])", { timeout });
  await sup.locator(`${noticeLine} span[data-state="sent"]`).waitFor({ timeout });
  eq("the notice's deliveries", await steps(sup, `.conv-log:not([hidden]) li[data-message="${notice}"]`),
    [[failed, "email", "failed"], [fallback, "sms", "sent"]]);
  like("the notice's line", await sup.textContent(noticeLine), /^✉ e-mail: жеткізілмеді — \S.* → SMS: жіберілді ✓$/);
  // The notice of the redirection went the same way; no other entry has a delivery line.
  eq("notices with a delivery line", await sup.locator(".conv-log:not([hidden]) li .delivery").count(), 2);
  // The letter to the body, under the appeal's fields.
  await sup.waitForSelector("#conv-deliveries:not([hidden])", { timeout });
  eq("redirection lines", await sup.locator("#conv-deliveries li").count(), 1);
  like("the body's line", await sup.textContent("#conv-deliveries li"), /^→ Еңбек министрлігі: ✉ e-mail: жеткізілмеді — \S/);
  eq("the body's delivery", await steps(sup, "#conv-deliveries li"), [[letter, "email", "failed"]]);
  if (shots) await sup.screenshot({ path: shots + "/deliveries-appeal-kk.png", fullPage: true });

  // In Russian.
  await sup.selectOption("#lang", "ru");
  await sup.click("#deliveries-open");
  await sup.getByRole("heading", { name: "Недоставленные сообщения" }).waitFor({ timeout });
  like("the notice's line (ru)", await sup.textContent(noticeLine), /^✉ e-mail: не доставлено — \S.* → SMS: отправлено ✓$/);
  like("the body's line (ru)", await sup.textContent("#conv-deliveries li"), /^→ Министерство труда: ✉ e-mail: не доставлено — \S/);
  eq("recipient (ru)", (await rows(sup)).find((r) => r[0] === letter)[2], "орган");
  await sup.click("#work-open");
  if (shots) await sup.locator("#conv-panel").screenshot({ path: shots + "/deliveries-appeal-ru.png" });
  await sup.click("#deliveries-open");

  // Retry: pending at once, so it leaves the failed list; the notice shows its e-mail queued.
  const answer = sup.waitForResponse((r) => r.url().endsWith(`/api/v1/deliveries/${failed}/retry`));
  await sup.locator(`#dl-list tr[data-id="${failed}"]`).getByRole("button", { name: "Повторить" }).click();
  const retried = await answer;
  eq("the retry's answer", [retried.status(), (await retried.json()).state], [200, "pending"]);
  await textMatches(sup, "#dl-status", /^Поставлено на повторную отправку: ✉ e-mail dauren@example\.kz$/);
  eq("failed after the retry", (await rows(sup)).map((r) => r[0]).includes(failed), false);
  eq("the others stay", (await rows(sup)).length, 2);
  eq("the notice after the retry", await steps(sup, `.conv-log:not([hidden]) li[data-message="${notice}"]`),
    [[failed, "email", "pending"], [fallback, "sms", "sent"]]);
  like("queued (ru)", await sup.textContent(noticeLine), /^✉ e-mail: в очереди → SMS: отправлено ✓$/);
  if (shots) await sup.screenshot({ path: shots + "/deliveries-retried-ru.png", fullPage: true });

  // The mail server is still down: the console follows the e-mail until it has failed again...
  // (Giving up again, the outbox sends the SMS fallback once more: a third step, not asserted.)
  await sup.click("#work-open");
  await sup.locator(`${noticeLine} span[data-id="${failed}"][data-state="failed"]`).waitFor({ timeout });
  eq("the notice failed again", (await steps(sup, `.conv-log:not([hidden]) li[data-message="${notice}"]`)).slice(0, 2),
    [[failed, "email", "failed"], [fallback, "sms", "sent"]]);
  like("failed again (ru)", await sup.textContent(noticeLine), /^✉ e-mail: не доставлено — \S.* → SMS: отправлено ✓/);
  // ...and Refresh brings it back to the list.
  await sup.click("#deliveries-open");
  const until = Date.now() + timeout;
  while (!(await rows(sup)).some((r) => r[0] === failed)) {
    if (Date.now() > until) throw new Error("the retried delivery did not come back to the failed list");
    await sup.getByRole("button", { name: "Обновить" }).click();
    await sup.waitForTimeout(200);
  }
  eq("back in the list", (await rows(sup)).find((r) => r[0] === failed).slice(2, 6),
    ["клиент", "✉ e-mail", "dauren@example.kz", "3"]);
  if (shots) await sup.screenshot({ path: shots + "/deliveries-failed-again-ru.png", fullPage: true });

  // Operators have no such panel.
  const op = await (await browser.newContext()).newPage();
  await signIn(op, "op");
  await op.locator("#me", { hasText: "оператор" }).waitFor({ timeout });
  if (await op.locator("#deliveries-open").isVisible()) throw new Error("the Deliveries button shown to an operator");
  if (await op.locator("#deliveries").isVisible()) throw new Error("the Deliveries panel shown to an operator");
  console.log("deliveries browser test passed");
} finally {
  await browser.close();
}

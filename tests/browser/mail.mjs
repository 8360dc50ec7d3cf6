// An e-mail appeal in real Chromium (run by `mail_console::mail_thread_in_chromium`). The Rust side
// runs a real Dovecot; a citizen's Kazakh mail with a PDF, a program (refused) and their quoted
// earlier correspondence has opened an appeal and waits in the queue. An operator goes online,
// accepts the offer, and reads the mail in the conversation: subject, sender, recipients, the
// quoted history folded behind a summary, the PDF as a download (its bytes checked) and the
// refused program with the reason in their language — in Kazakh, then Russian. The operator's
// reply typed in the console goes out as a mail (the Rust side reads it in the citizen's mailbox).
// A supervisor's Mailboxes panel shows the working mailbox connected and one with a wrong
// password failing with its server's words, in Kazakh and Russian; an operator has no panel.
import { launch } from "./console-session.mjs";
import { readFile } from "node:fs/promises";

const base = process.env.BAYLANYS_BASE;
const shots = process.env.BAYLANYS_SCREENSHOTS;
const appealId = process.env.BAYLANYS_APPEAL;
const pdfSha = process.env.BAYLANYS_PDF_SHA256;
const reply = process.env.BAYLANYS_REPLY;
if (!base || !appealId || !pdfSha || !reply) {
  throw new Error("BAYLANYS_BASE, _APPEAL, _PDF_SHA256 and _REPLY are required");
}
const browser = await launch();
const timeout = 15000;
const eq = (what, got, want) => {
  if (JSON.stringify(got) !== JSON.stringify(want)) {
    throw new Error(`${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  }
};
const sha256 = async (bytes) => {
  const { createHash } = await import("node:crypto");
  return createHash("sha256").update(bytes).digest("hex");
};
const mailLines = (page) => page.$$eval(".conv-log:not([hidden]) li .mail-head div", (ds) => ds.map((d) => d.textContent));
const fileLines = (page) => page.$$eval(".conv-log:not([hidden]) li .mail-files li", (ls) => ls.map((l) => l.textContent));

try {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, acceptDownloads: true });
  const op = await context.newPage();
  await op.goto(base + "/console");
  await op.fill("#login-name", "op");
  await op.fill("#login-password", "op-password");
  await op.press("#login-password", "Enter");
  await op.waitForSelector("#app:not([hidden])", { timeout });
  await op.selectOption("#presence", "online");
  const offer = op.locator("#offers tbody tr").first();
  await offer.waitFor({ timeout });
  await offer.getByRole("button", { name: "Қабылдау" }).click();
  await op.waitForSelector("#conversation:not([hidden])", { timeout });
  await op.locator(".conv-log:not([hidden]) li .mail-head").first().waitFor({ timeout });

  eq("the mail's headers (kk)", await mailLines(op), [
    "Тақырып: Жер учаскесі туралы",
    "Кімнен: aigul@mail.example.kz",
    "Кімге: centre@gov.test",
  ]);
  eq("the files (kk)", await fileLines(op), [
    "Анықтама.pdf (application/pdf, 3 KB)",
    "setup.exe (application/x-msdownload, 16 B) — сақталмады: бағдарлама не скрипт, сақталмайды",
  ]);
  // The quoted history is folded behind its summary, as text.
  const quoted = op.locator(".conv-log:not([hidden]) li .mail details");
  eq("quoted summary", (await quoted.locator("summary").textContent()).trim(), "Бұрынғы хат-хабар");
  eq("quoted folded", await quoted.evaluate((d) => d.open), false);
  await quoted.locator("summary").click();
  if (!(await quoted.locator("pre").textContent()).includes("Өткен айдағы хатым")) throw new Error("quoted text");
  if (shots) await op.screenshot({ path: shots + "/mail-kk.png", fullPage: true });

  // The PDF downloads with its name and exact bytes; the page never navigates to it.
  const [download] = await Promise.all([
    op.waitForEvent("download", { timeout }),
    op.getByRole("button", { name: /^Анықтама\.pdf/ }).click(),
  ]);
  eq("download name", download.suggestedFilename(), "Анықтама.pdf");
  eq("download bytes", await sha256(await readFile(await download.path())), pdfSha);
  eq("still the console", new URL(op.url()).pathname, "/console");

  // In Russian the mail's block follows.
  await op.selectOption("#lang", "ru");
  await op.waitForFunction(() => document.querySelector(".conv-log:not([hidden]) li .mail-head div")?.textContent.startsWith("Тема:"), null, { timeout });
  eq("the mail's headers (ru)", await mailLines(op), [
    "Тема: Жер учаскесі туралы",
    "От: aigul@mail.example.kz",
    "Кому: centre@gov.test",
  ]);
  eq("the refused file (ru)", (await fileLines(op))[1],
    "setup.exe (application/x-msdownload, 16 B) — не сохранён: программа или скрипт, не сохраняются");
  if (shots) await op.locator("#conv-panel").screenshot({ path: shots + "/mail-ru.png" });

  // The reply typed in the console is a mail of the citizen's thread (checked on the Rust side).
  await op.fill("#reply-text", reply);
  await op.press("#reply-text", "Enter");
  await op.locator(".conv-log:not([hidden]) li.operator").waitFor({ timeout });
  eq("an operator has no Mailboxes panel", await op.locator("#mailboxes-open").isVisible(), false);

  const sup = await (await browser.newContext({ viewport: { width: 1366, height: 900 } })).newPage();
  await sup.goto(base + "/console");
  await sup.fill("#login-name", "sup");
  await sup.fill("#login-password", "sup-password");
  await sup.press("#login-password", "Enter");
  await sup.waitForSelector("#app:not([hidden])", { timeout });
  await sup.getByRole("button", { name: "Пошта жәшіктері" }).click();
  await sup.getByRole("heading", { name: "Пошта жәшіктері" }).waitFor({ timeout });
  const rows = () => sup.$$eval("#mb-list tbody tr", (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
  let list = [];
  const until = Date.now() + timeout;
  // The broken mailbox's failure shows once its poller has tried.
  while (!(list = await rows()).some((r) => r[2] === "қате")) {
    if (Date.now() > until) throw new Error("no failing mailbox: " + JSON.stringify(list));
    await sup.waitForTimeout(300);
    await sup.click("#mb-refresh");
  }
  const byName = (n) => list.find((r) => r[0] === n);
  eq("the working mailbox", [byName("Кеңсе")[1], byName("Кеңсе")[2]], ["centre@gov.test", "қосулы"]);
  if (!(Number(byName("Кеңсе")[4]) >= 1)) throw new Error("last UID " + byName("Кеңсе")[4]);
  eq("the broken mailbox", byName("Сынық")[2], "қате");
  eq("the broken mailbox's error", byName("Сынық")[5], "Логин немесе құпиясөз қабылданбады");
  const tip = await sup.locator("#mb-list tbody tr", { hasText: "Сынық" }).locator("td.why").getAttribute("title");
  if (!/AUTHENTICATIONFAILED/.test(tip)) throw new Error("the server's words in the tooltip: " + tip);
  if (shots) await sup.locator("#mailboxes").screenshot({ path: shots + "/mailboxes-kk.png" });
  await sup.selectOption("#lang", "ru");
  await sup.getByRole("heading", { name: "Почтовые ящики" }).waitFor({ timeout });
  const ru = await rows();
  eq("states (ru)", ru.map((r) => r[2]).sort(), ["ошибка", "подключён"]);
  eq("the error (ru)", ru.find((r) => r[0] === "Сынық")[5], "Логин или пароль не приняты");
  console.log("browser test passed");
} finally {
  await browser.close();
}

// Complaint analytics in real Chromium (run by `browser::complaint_analytics_in_chromium`): a
// supervisor opens the Complaints panel of the console and reads the last 30 days' totals and the
// tables by category, operator and topic, in Kazakh and in Russian; an earlier period is empty; an
// inverted period shows the server's error; an operator has no such panel. The Rust side seeded
// three complaints: operator conduct about the operator (topic "pensions", confirmed), waiting
// (topic "pensions", not confirmed), waiting (no topic, not decided yet).
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
const eq = (what, got, want) => {
  if (JSON.stringify(got) !== JSON.stringify(want)) {
    throw new Error(`${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  }
};
// Waits until the element's whole text is `want`.
const textIs = async (page, selector, want) => {
  const el = page.locator(selector);
  const until = Date.now() + timeout;
  let got;
  while ((got = (await el.textContent()).trim()) !== want) {
    if (Date.now() > until) throw new Error(`${selector}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
    await page.waitForTimeout(50);
  }
};
// Label, registered, confirmed and the bar's width of each row, top to bottom.
const rows = (page, table) => page.$$eval(`#${table} tbody tr`, (trs) => trs.map((tr) => [
  tr.cells[0].textContent, Number(tr.cells[1].textContent), Number(tr.cells[2].textContent),
  tr.querySelector(".bar .all").style.width,
]));
const totals = async (page) => [
  await page.textContent("#cs-total"), await page.textContent("#cs-decided"),
  await page.textContent("#cs-confirmed"), await page.textContent("#cs-share"),
];

try {
  const sup = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await signIn(sup, "sup");
  const open = sup.getByRole("button", { name: "Шағымдар" });
  await open.click();
  await sup.getByRole("heading", { name: "Шағымдар талдауы" }).waitFor({ timeout });
  await textIs(sup, "#cs-total", "3");
  // The last 30 days by default, ending today in Astana.
  const today = await sup.evaluate(() => new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Almaty" }).format(new Date()));
  eq("period end", await sup.inputValue("#cs-to"), today);
  const from = new Date(Date.parse(today + "T00:00:00Z") - 29 * 86400000).toISOString().slice(0, 10);
  eq("period start", await sup.inputValue("#cs-from"), from);
  eq("totals", await totals(sup), ["3", "2", "1", "50"]);
  eq("by category", await rows(sup, "cs-by-category"), [
    ["Ұзақ күту, байланысу мүмкін болмады", 2, 0, "100%"],
    ["Оператордың әдепсіз не дұрыс емес әрекеті", 1, 1, "50%"],
  ]);
  eq("by operator", await rows(sup, "cs-by-operator"), [
    ["— (операторға қатысты емес)", 2, 0, "100%"],
    ["Айгүл Серікқызы", 1, 1, "50%"],
  ]);
  eq("by topic", await rows(sup, "cs-by-topic"), [
    ["Зейнетақы төлемдері", 2, 1, "100%"],
    ["— (тақырыпсыз)", 1, 0, "50%"],
  ]);
  if (shots) await sup.screenshot({ path: shots + "/complaints-kk.png", fullPage: true });

  // In Russian the same figures, with Russian labels and topic names.
  await sup.selectOption("#lang", "ru");
  await sup.getByRole("heading", { name: "Аналитика жалоб" }).waitFor({ timeout });
  eq("by category (ru)", (await rows(sup, "cs-by-category")).map((r) => r[0]),
    ["Долгое ожидание, не удалось связаться", "Грубость, некорректное поведение оператора"]);
  eq("by operator (ru)", (await rows(sup, "cs-by-operator")).map((r) => r[0]), ["— (не об операторе)", "Айгүл Серікқызы"]);
  eq("by topic (ru)", (await rows(sup, "cs-by-topic")).map((r) => r[0]), ["Пенсионные выплаты", "— (без темы)"]);
  if (shots) await sup.screenshot({ path: shots + "/complaints-ru.png", fullPage: true });

  // A period before any complaint: zeros and a line saying so.
  await sup.fill("#cs-from", "2024-01-01");
  await sup.fill("#cs-to", "2024-01-31");
  await sup.getByRole("button", { name: "Показать" }).click();
  await textIs(sup, "#cs-total", "0");
  eq("empty totals", await totals(sup), ["0", "0", "0", "—"]);
  await sup.getByText("За этот период жалоб нет.").waitFor({ timeout });
  if (await sup.locator("#cs-tables").isVisible()) throw new Error("tables shown for an empty period");

  // An inverted period: the server's 422 is shown, no figures are.
  await sup.fill("#cs-from", "2024-02-10");
  await sup.fill("#cs-to", "2024-02-01");
  await sup.getByRole("button", { name: "Показать" }).click();
  await textIs(sup, "#cs-error", "Не удалось получить статистику: from must be before to");
  if (await sup.locator("#cs-result").isVisible()) throw new Error("figures shown beside the error");
  if (shots) await sup.screenshot({ path: shots + "/complaints-error.png" });

  // Back to a valid period: the error goes.
  await sup.fill("#cs-from", from);
  await sup.fill("#cs-to", today);
  await sup.getByRole("button", { name: "Показать" }).click();
  await textIs(sup, "#cs-total", "3");
  await textIs(sup, "#cs-error", "");

  // Operators have no such panel.
  const op = await (await browser.newContext()).newPage();
  await signIn(op, "op");
  await op.locator("#me", { hasText: "оператор" }).waitFor({ timeout });
  if (await op.locator("#complaints-open").isVisible()) throw new Error("the Complaints button shown to an operator");
  if (await op.locator("#complaints").isVisible()) throw new Error("the Complaints panel shown to an operator");
  console.log("complaint analytics browser test passed");
} finally {
  await browser.close();
}

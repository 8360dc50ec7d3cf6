// Competence and parts in real Chromium (run by `browser::split_in_chromium`). The Rust side sets
// up two ministries, labour competent for pensions and agriculture for land, and a web chat about
// a pension and a land plot registered under pensions and assigned to the operator. The operator
// opens it: the labour ministry is proposed above the redirect form and heads its list; splits the
// land matter off with the land topic (a blank subject is refused inline first, nothing split);
// sees the new part's number, the citizen's notice and the part listed; opens the part: it says
// whose part it is, has no split action, and proposes the agriculture ministry; a click picks it
// (its departments load), and the part is redirected there. Back on the appeal the part is listed
// as redirected to that ministry; the same in Russian. The ministry's officer opens the part and
// has neither the split action nor the redirect form.
import { launch } from "./console-session.mjs";

const base = process.env.BAYLANYS_BASE;
const shots = process.env.BAYLANYS_SCREENSHOTS;
const appealId = process.env.BAYLANYS_APPEAL;
const number = process.env.BAYLANYS_NUMBER;
const labour = process.env.BAYLANYS_LABOUR;
const agri = process.env.BAYLANYS_AGRI;
const department = process.env.BAYLANYS_DEPARTMENT;
if (!base || !appealId || !number || !labour || !agri || !department) {
  throw new Error("BAYLANYS_BASE, _APPEAL, _NUMBER, _LABOUR, _AGRI and _DEPARTMENT are required");
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
// Waits until the element's whole text matches.
const textMatches = async (page, selector, re) => {
  const el = page.locator(selector);
  const until = Date.now() + timeout;
  let got;
  while (!re.test((got = ((await el.count()) ? (await el.first().textContent()).trim() : "")))) {
    if (Date.now() > until) throw new Error(`${selector}: ${JSON.stringify(got)} does not match ${re}`);
    await page.waitForTimeout(50);
  }
  return got;
};
const visible = (page, selector) => page.locator(selector).isVisible();
// The redirect list: [group, [value, text]...] per optgroup, or [null, ...] for a flat list.
const bodyList = (page) => page.$$eval("#redirect-body > *", (els) => els.map((el) =>
  el.tagName === "OPTGROUP"
    ? [el.label, ...[...el.children].map((o) => o.value)]
    : [null, el.value]));
const partRows = (page) => page.$$eval("#parts-list tbody tr", (trs) => trs.map((tr) =>
  [...tr.cells].map((td) => td.textContent)));
const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const LABOUR = "Еңбек және халықты әлеуметтік қорғау министрлігі";
const AGRI = "Ауыл шаруашылығы министрлігі";

try {
  const op = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  const errors = [];
  op.on("pageerror", (e) => errors.push(String(e)));
  await signIn(op, "op");
  await op.locator("#mine button", { hasText: number }).click();
  await textMatches(op, "#conv-number", new RegExp(`^${esc(number)}$`));
  await op.click("#tab-redirect");

  // The competent ministry is proposed and heads the list; the other follows under its own label.
  await textMatches(op, "#redirect-proposed", new RegExp(`^Ұсынылады: ${LABOUR}$`));
  eq("the redirect list", await bodyList(op),
    [[null, ""], ["Құзыретті органдар", labour], ["Басқа органдар", agri]]);
  eq("nothing chosen for the operator", await op.inputValue("#redirect-body"), "");
  eq("an appeal is nobody's part", await visible(op, "#conv-parent"), false);
  eq("no parts yet", await visible(op, "#conv-parts"), false);

  // Split: a blank subject is refused by the server, its reason shown by the form.
  await op.getByText("Бөлу", { exact: true }).click();
  eq("the part's topics", await op.$$eval("#split-topic option", (os) => os.map((o) => o.textContent)),
    ["өтініштің тақырыбы", "Жер қатынастары", "Зейнетақы төлемдері"]);
  await op.fill("#split-subject", "   ");
  await op.fill("#split-text", "Жер учаскесіне құжат қашан дайын болады?");
  await op.getByRole("button", { name: "Бөлікті бөліп тіркеу" }).click();
  const refused = await textMatches(op, "#split-error", /^Бөлінбеді: .+/);
  if (!/subject/.test(refused)) throw new Error(`the refusal does not name the field: ${refused}`);
  eq("nothing split", await visible(op, "#conv-parts"), false);
  if (shots) await op.screenshot({ path: shots + "/parts-refused.png", fullPage: true });

  await op.fill("#split-subject", "Жер учаскесіне құжат");
  await op.selectOption("#split-topic", { label: "Жер қатынастары" });
  await op.getByRole("button", { name: "Бөлікті бөліп тіркеу" }).click();
  const done = await textMatches(op, "#split-status", /^Бөлік тіркелді: № \S+$/);
  const partNumber = done.replace("Бөлік тіркелді: № ", "");
  if (partNumber === number) throw new Error("the part has the appeal's number");
  eq("the refusal is gone", await op.textContent("#split-error"), "");
  eq("the form is emptied", [await op.inputValue("#split-subject"), await op.inputValue("#split-text")], ["", ""]);
  const partId = await op.getAttribute("#split-status", "data-part");
  // Listed with its number, subject, status and no body yet; the citizen was told its number.
  await op.locator("#conv-parts:not([hidden])").waitFor({ timeout });
  eq("the parts", await partRows(op), [[partNumber, "Жер учаскесіне құжат", "қаралуда", "—"]]);
  await op.locator(".conv-log:not([hidden]) li.system", { hasText: `жеке қаралады, оның нөмірі: № ${partNumber}` }).waitFor({ timeout });
  if (shots) await op.screenshot({ path: shots + "/parts-appeal.png", fullPage: true });

  // The part: whose part it is, no split of its own, the agriculture ministry proposed.
  await op.locator(`#parts-list button[data-appeal="${partId}"]`).click();
  await textMatches(op, "#conv-number", new RegExp(`^${esc(partNumber)}$`));
  await textMatches(op, "#conv-parent", new RegExp(`^№ ${esc(number)} өтініштің бөлігі$`));
  eq("the redirect tab stays chosen", await op.getAttribute("#tab-redirect", "aria-selected"), "true");
  eq("a part is not split again", await visible(op, "#split-box"), false);
  eq("a part has no parts", await visible(op, "#conv-parts"), false);
  await textMatches(op, "#redirect-proposed", new RegExp(`^Ұсынылады: ${AGRI}$`));
  eq("the part's redirect list", await bodyList(op),
    [[null, ""], ["Құзыретті органдар", agri], ["Басқа органдар", labour]]);
  eq("two tabs", await op.$$eval("#tabs button .num", (bs) => bs.map((b) => b.textContent)), [number, partNumber]);
  await op.locator("#redirect-proposed button", { hasText: AGRI }).click();
  eq("the proposal picked", await op.inputValue("#redirect-body"), agri);
  await op.locator(`#redirect-dept option[value="${department}"]`).waitFor({ state: "attached", timeout });
  await op.selectOption("#redirect-dept", department);
  await op.fill("#redirect-reason", "Жер қатынастары — министрліктің құзыреті");
  await op.getByRole("button", { name: "Органға жіберу" }).click();
  await textMatches(op, "#conv-fields", /Мәртебесі: жіберілді/);
  await textMatches(op, "#redirect-proposed", new RegExp(`^Ұсынылады: ${AGRI} ✓$`));
  if (shots) await op.screenshot({ path: shots + "/parts-part.png", fullPage: true });

  // Back to the appeal from the part's link: the part is with the ministry now.
  await op.locator(`#conv-parent button[data-appeal="${appealId}"]`).click();
  await textMatches(op, "#conv-number", new RegExp(`^${esc(number)}$`));
  await textMatches(op, "#parts-list tbody tr td:nth-child(3)", /^жіберілді$/);
  await textMatches(op, "#parts-list tbody tr td:nth-child(4)", new RegExp(`^${AGRI}$`));
  eq("still splittable", await visible(op, "#split-box"), true);

  // In Russian.
  await op.selectOption("#lang", "ru");
  await textMatches(op, "#parts-h", /^Части обращения$/);
  await textMatches(op, "#redirect-proposed", /^Предлагается: .+/);
  eq("the groups in Russian", (await bodyList(op)).map((g) => g[0]), [null, "Компетентные органы", "Другие органы"]);
  eq("the bodies in Russian", await op.$$eval("#redirect-body option", (os) => os.map((o) => o.textContent)),
    ["", "Министерство труда и социальной защиты населения", "Министерство сельского хозяйства"]);
  await textMatches(op, "#parts-list tbody tr td:nth-child(4)", /^Министерство сельского хозяйства$/);
  await textMatches(op, "#parts-list tbody tr td:nth-child(3)", /^перенаправлено$/);
  await textMatches(op, "#split-box summary", /^Разделить$/);
  await op.locator(`#tabs button[data-appeal="${partId}"]`).click();
  await textMatches(op, "#conv-parent", new RegExp(`^Часть обращения № ${esc(number)}$`));
  if (shots) await op.screenshot({ path: shots + "/parts-ru.png", fullPage: true });
  eq("no script errors", errors, []);

  // The ministry's officer: the part, no split, no redirect form, the appeal it came from unseen.
  const officer = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  officer.on("pageerror", (e) => errors.push(String(e)));
  await signIn(officer, "agri");
  await officer.locator("#mine button", { hasText: partNumber }).click();
  await textMatches(officer, "#conv-number", new RegExp(`^${esc(partNumber)}$`));
  await textMatches(officer, "#conv-parent", /^Басқа өтініштің бөлігі$/);
  eq("no split for an officer", await visible(officer, "#split-box"), false);
  eq("no redirect form for an officer", await visible(officer, "#redirect"), false);
  await officer.getByRole("button", { name: "Өтінішті қабылдау" }).waitFor({ timeout });
  if (shots) await officer.screenshot({ path: shots + "/parts-officer.png", fullPage: true });
  eq("no script errors", errors, []);
  console.log("parts browser test passed");
} finally {
  await browser.close();
}

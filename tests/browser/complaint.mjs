// Registering a complaint from the console (R8; issue 14: the complaints panel could only be
// fed by the API). The operator opens an appeal from their list, in Kazakh, picks the category
// and the operator it is about, and the appeal becomes a complaint.
import { launch } from "./console-session.mjs";

const base = process.env.BAYLANYS_BASE;
const number = process.env.BAYLANYS_NUMBER;
if (!base || !number) throw new Error("BAYLANYS_BASE and BAYLANYS_NUMBER are required");
const shots = process.env.BAYLANYS_SCREENSHOTS;
const browser = await launch();
const timeout = 15000;
try {
  const op = await (await browser.newContext()).newPage();
  await op.goto(base + "/console");
  await op.fill("#login-name", "op");
  await op.fill("#login-password", "op-password");
  await op.press("#login-password", "Enter");
  await op.waitForSelector("#app:not([hidden])", { timeout });
  await op.locator("#mine button", { hasText: number }).click();
  await op.click("#tab-complaint");
  await op.waitForSelector("#complaint-form:not([hidden])", { timeout });
  // The categories in Kazakh, no raw value.
  const labels = await op.locator("#complaint-category option").allTextContents();
  if (!labels.includes("Қате не толық емес ақпарат") || labels.some((l) => /_/.test(l))) throw new Error("categories: " + labels);
  await op.selectOption("#complaint-category", { label: "Қате не толық емес ақпарат" });
  await op.selectOption("#complaint-operator", { label: "op" });
  if (shots) await op.screenshot({ path: shots + "/complaint-kk.png", fullPage: true });
  await op.getByRole("button", { name: "Шағым ретінде тіркеу" }).click();
  await op.locator("#conv-fields", { hasText: "Түрі: шағым" }).waitFor({ timeout });
  await op.waitForSelector("#complaint-form[hidden]", { state: "attached", timeout });
  console.log("complaint browser test passed");
} finally {
  await browser.close();
}

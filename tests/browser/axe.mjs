// Accessibility of the citizens' chat and the console, checked by axe-core in real Chromium
// (issue 14): no serious or critical violation, and one main landmark on every page — the chat
// before and after the first message, the console's sign-in page, the console signed in with a
// conversation open in each of its action tabs, the shortcuts' overlay, and every view an admin
// opens from the header.
import { launch } from "./console-session.mjs";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const base = process.env.BAYLANYS_BASE;
if (!base) throw new Error("BAYLANYS_BASE is required");
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

const browser = await launch();
const timeout = 15000;
const found = [];

async function audit(page, what) {
  // The pages forbid inline scripts (CSP); the audit is let in for the test only.
  await page.addScriptTag({ content: axeSource });
  const r = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    await axe.run(document, { resultTypes: ["violations"] }));
  for (const v of r.violations) {
    if (v.impact === "serious" || v.impact === "critical" || v.id === "landmark-one-main") {
      found.push(`${what}: ${v.id} (${v.impact}) at ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
    }
  }
}

try {
  const chat = await (await browser.newContext({ bypassCSP: true })).newPage();
  await chat.goto(base + "/chat");
  await chat.getByRole("button", { name: "Бастау" }).waitFor({ timeout });
  await audit(chat, "chat, introduction");
  await chat.getByRole("button", { name: "Бастау" }).click();
  await chat.fill("#baylanys-input", "Сәлеметсіз бе");
  await chat.press("#baylanys-input", "Enter");
  await chat.locator(".log li.client").waitFor({ timeout });
  await chat.getByText(/Өтініш №/).waitFor({ timeout });
  await audit(chat, "chat, conversation");

  const op = await (await browser.newContext({ bypassCSP: true })).newPage();
  await op.goto(base + "/console");
  await op.waitForSelector("#login:not([hidden])", { timeout });
  await audit(op, "console, sign-in");
  await op.fill("#login-name", "op");
  await op.fill("#login-password", "op-password");
  await op.press("#login-password", "Enter");
  await op.waitForSelector("#app:not([hidden])", { timeout });
  await op.selectOption("#presence", "online");
  await op.locator("#offers tbody tr").first().getByRole("button", { name: "Қабылдау" }).click();
  await op.locator(".conv-log:not([hidden]) li.client", { hasText: "Сәлеметсіз бе" }).waitFor({ timeout });
  await audit(op, "console, conversation");
  // Every action tab of the conversation, and the shortcuts' overlay.
  for (const tab of await op.$$eval("#acts button:not([hidden])", (bs) => bs.map((b) => b.id))) {
    await op.click("#" + tab);
    await audit(op, `console, conversation, ${tab}`);
  }
  await op.keyboard.press("Alt+Slash");
  await op.waitForSelector("dialog#keys[open]", { timeout });
  await audit(op, "console, shortcuts");
  await op.keyboard.press("Escape");

  // Every view of the frame an admin reaches from the header.
  const adm = await (await browser.newContext({ bypassCSP: true, viewport: { width: 1366, height: 768 } })).newPage();
  await adm.goto(base + "/console");
  await adm.fill("#login-name", "adm");
  await adm.fill("#login-password", "adm-password");
  await adm.press("#login-password", "Enter");
  await adm.waitForSelector("#app:not([hidden])", { timeout });
  await adm.waitForSelector("#kpi-open:not([hidden])", { timeout });
  const views = await adm.$$eval("#views button[aria-controls]:not([hidden])", (bs) => bs.map((b) => [b.id, b.getAttribute("aria-controls")]));
  if (views.length < 8) throw new Error("an admin reaches fewer views than expected: " + JSON.stringify(views));
  for (const [button, panel] of views) {
    await adm.click("#" + button);
    await adm.waitForSelector(`#${panel}:not([hidden]):not(.covered)`, { timeout });
    // Let the panel's first load land.
    await adm.waitForLoadState("networkidle");
    await audit(adm, `console, ${panel}`);
  }

  if (found.length) throw new Error("accessibility violations:\n" + found.join("\n"));
  console.log("axe browser test passed");
} finally {
  await browser.close();
}

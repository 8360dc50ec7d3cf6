// Accessibility of the citizens' chat and the console, checked by axe-core in real Chromium
// (issue 14): no serious or critical violation, and one main landmark on every page — the chat
// before and after the first message, the console's sign-in page, and the console signed in
// with a conversation open.
import { chromium } from "playwright-core";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const base = process.env.BAYLANYS_BASE;
if (!base) throw new Error("BAYLANYS_BASE is required");
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run"],
});
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

  if (found.length) throw new Error("accessibility violations:\n" + found.join("\n"));
  console.log("axe browser test passed");
} finally {
  await browser.close();
}

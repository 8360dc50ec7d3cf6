// Benchmark, not a test (issue 14): the time from a citizen's message leaving the web chat to it
// being shown in the operator's console, with one conversation open and then with ten, side by
// side in one run. Run by the ignored Rust test `console_shift::console_latency_benchmark`; the
// figures go to BAYLANYS_SCREENSHOTS/console-latency.json and BENCHMARKS.md.
//
// Every page is in the same Chromium, so the citizen's and the console's clocks are one clock.
// A citizen writes one message per 2.5 s at most (well under the per-visitor limit); the console
// notes the moment each message's entry is added to the conversation's log.
import { launch } from "./console-session.mjs";
import { writeFileSync } from "node:fs";

const base = process.env.BAYLANYS_BASE;
const shots = process.env.BAYLANYS_SCREENSHOTS;
const rounds = Number(process.env.BAYLANYS_ROUNDS || 20);
if (!base || !shots) throw new Error("BAYLANYS_BASE and BAYLANYS_SCREENSHOTS are required");

const browser = await launch();
const timeout = 20000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]; };

try {
  const op = await (await browser.newContext({ viewport: { width: 1366, height: 768 } })).newPage();
  await op.goto(base + "/console");
  await op.fill("#login-name", "op");
  await op.fill("#login-password", "op-password");
  await op.press("#login-password", "Enter");
  await op.waitForSelector("#app:not([hidden])", { timeout });
  await op.selectOption("#presence", "online");
  // The console notes when each entry appears, by its text.
  await op.evaluate(() => {
    window.seen = {};
    new MutationObserver((records) => {
      const now = Date.now();
      for (const r of records) for (const n of r.addedNodes) {
        const m = n.textContent && n.textContent.match(/bench-[a-z0-9]+-\d+/);
        if (m && !(m[0] in window.seen)) window.seen[m[0]] = now;
      }
    }).observe(document.getElementById("conv-logs"), { childList: true, subtree: true });
  });

  const citizens = [];
  async function open(i) {
    const page = await (await browser.newContext()).newPage();
    await page.goto(base + "/chat");
    await page.getByRole("button", { name: "Бастау" }).click();
    await page.fill("#baylanys-input", `Сәлеметсіз бе, ${i}`);
    await page.press("#baylanys-input", "Enter");
    await page.locator(".log li.client").waitFor({ timeout });
    await op.locator("#offers tbody tr").first().waitFor({ timeout });
    await op.locator("#offers tbody tr").first().getByRole("button", { name: "Қабылдау" }).click();
    await op.locator("#tabs button").nth(i).waitFor({ timeout });
    citizens.push(page);
  }
  async function measure(label) {
    const sent = {};
    for (let r = 0; r < rounds; r++) {
      const started = Date.now();
      for (let i = 0; i < citizens.length; i++) {
        const text = `bench-${label}r${r}-${i}`;
        await citizens[i].fill("#baylanys-input", text);
        sent[text] = await citizens[i].evaluate(() => Date.now());
        await citizens[i].press("#baylanys-input", "Enter");
      }
      const left = 2500 - (Date.now() - started);
      if (left > 0) await sleep(left);
    }
    const deadline = Date.now() + timeout;
    let seen = {};
    while (Date.now() < deadline) {
      seen = await op.evaluate(() => window.seen);
      if (Object.keys(sent).every((k) => k in seen)) break;
      await sleep(200);
    }
    const missing = Object.keys(sent).filter((k) => !(k in seen));
    if (missing.length) throw new Error(`${label}: never shown in the console: ${missing.slice(0, 5)}`);
    const ms = Object.keys(sent).map((k) => seen[k] - sent[k]);
    return { conversations: citizens.length, messages: ms.length, p50_ms: pct(ms, 50), p99_ms: pct(ms, 99), max_ms: Math.max(...ms) };
  }

  await open(0);
  const one = await measure("one");
  for (let i = 1; i < 10; i++) await open(i);
  const ten = await measure("ten");
  const result = { date: new Date().toISOString(), rounds, one, ten };
  writeFileSync(`${shots}/console-latency.json`, JSON.stringify(result, null, 2));
  console.log(JSON.stringify(result));
  console.log("console latency benchmark browser test passed");
} finally {
  await browser.close();
}

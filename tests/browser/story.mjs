// The web-chat story in real Chromium (run by the Rust test
// `browser::chat_and_console_story_in_chromium`): citizens at /chat, an operator at /console,
// replies both ways, read receipts, a real network drop on the citizen's side with nothing lost,
// and a transfer the citizen is told of. Screenshots of both pages go to BAYLANYS_SCREENSHOTS.
import { launch } from "./console-session.mjs";

const base = process.env.BAYLANYS_BASE;
const proxy = process.env.BAYLANYS_PROXY;
const control = process.env.BAYLANYS_CONTROL;
const shots = process.env.BAYLANYS_SCREENSHOTS;
if (!base || !proxy || !control) throw new Error("BAYLANYS_BASE, BAYLANYS_PROXY, BAYLANYS_CONTROL are required");

const browser = await launch();
const timeout = 15000;
try {
  // The Kazakh citizen reaches the centre through the proxy that will drop them.
  const kk = await (await browser.newContext()).newPage();
  await kk.goto(proxy + "/chat");
  await kk.fill("#baylanys-name", "Айжан");
  await kk.fill("#baylanys-iin", "061211600012");
  await kk.getByRole("button", { name: "Бастау" }).click();
  // The form is gone once the conversation starts; the appeal begins with the first message.
  await kk.waitForSelector(".baylanys-chat form.intro[hidden]", { state: "attached", timeout });
  await kk.fill("#baylanys-input", "Сәлеметсіз бе! Мекенжай анықтамасы керек.");
  await kk.press("#baylanys-input", "Enter");
  await kk.locator(".log li.client", { hasText: "Мекенжай анықтамасы керек" }).waitFor({ timeout });
  await kk.getByText(/Күту тегін/).waitFor({ timeout });

  // The Russian citizen chooses Russian on the form.
  const ru = await (await browser.newContext()).newPage();
  await ru.goto(base + "/chat");
  await ru.selectOption("#baylanys-lang", "ru");
  await ru.getByRole("button", { name: "Начать" }).click();
  await ru.fill("#baylanys-input", "Здравствуйте, вопрос по пособию");
  await ru.press("#baylanys-input", "Enter");
  await ru.getByText(/Ожидание бесплатное/).waitFor({ timeout });
  await ru.locator(".log li.client", { hasText: "вопрос по пособию" }).waitFor({ timeout });

  // The operator signs in, goes online and takes both chats into tabs.
  const op = await (await browser.newContext()).newPage();
  await op.goto(base + "/console");
  await op.fill("#login-name", "op");
  await op.fill("#login-password", "op-password");
  await op.press("#login-password", "Enter");
  await op.waitForSelector("#app:not([hidden])", { timeout });
  await op.selectOption("#presence", "online");
  await op.locator("#offers tbody tr").nth(1).waitFor({ timeout });
  await op.locator("#offers tbody tr").first().getByRole("button", { name: "Қабылдау" }).click();
  await op.locator("#tabs button").first().waitFor({ timeout });
  await op.locator("#offers tbody tr").first().getByRole("button", { name: "Қабылдау" }).click();
  await op.locator("#tabs button").nth(1).waitFor({ timeout });

  // Each citizen's tab by their appeal's number (the widget shows it): the offers may come in
  // either order.
  const numberOf = async (page) => (await page.locator(".number").textContent()).match(/\d{4}-\d{6}/)[0];
  const kkNumber = await numberOf(kk);
  const ruNumber = await numberOf(ru);

  // The Kazakh tab: the citizen's message, and the citizen is told who answers.
  await op.locator("#tabs button", { hasText: kkNumber }).click();
  await op.locator(".conv-log:not([hidden]) li.client", { hasText: "Мекенжай анықтамасы керек" }).waitFor({ timeout });
  await kk.locator(".log li.system", { hasText: "Сізге оператор op жауап береді." }).waitFor({ timeout });
  // Not verified: warned, no history. The IIN she typed is a claim: it matches a record, and
  // her IIN with the phone on file joins the chat to it and unlocks the earlier call (R11).
  await op.waitForSelector("#verify:not([hidden])", { timeout });
  await op.locator("#verify-joins:not([hidden])").waitFor({ timeout });
  await op.locator("#client-card", { hasText: "ЖСН 061211600012 (веб-чат)" }).waitFor({ timeout });
  await op.fill("#verify-iin", "061211600012");
  await op.fill("#verify-onfile", "+77015550199");
  await op.getByRole("button", { name: "Тексеру", exact: true }).click();
  await op.locator("#verify-status", { hasText: "Деректер жазбаға сәйкес келмейді." }).waitFor({ timeout });
  if (shots) await op.screenshot({ path: shots + "/story-verify-kk.png", fullPage: true });
  await op.fill("#verify-onfile", "+77015550101");
  await op.getByRole("button", { name: "Тексеру", exact: true }).click();
  await op.click("#tab-history");
  await op.locator("#history summary", { hasText: "телефон" }).waitFor({ timeout });
  await op.fill("#reply-text", "Сәлеметсіз бе! Анықтаманы eGov арқылы алуға болады.");
  await op.press("#reply-text", "Enter");
  await kk.locator(".log li.operator", { hasText: "eGov арқылы" }).waitFor({ timeout });
  // The citizen's page shows it, so the operator sees it read.
  await op.locator(".conv-log:not([hidden]) li.operator.read").waitFor({ timeout });

  // The citizen's network drops; the operator writes twice meanwhile.
  await fetch(control + "/down");
  await kk.getByText("Байланыс үзілді, қайта қосылуда…").waitFor({ timeout });
  for (const text of ["Бірінші қосымша", "Екінші қосымша"]) {
    await op.fill("#reply-text", text);
    await op.press("#reply-text", "Enter");
    await op.locator(".conv-log:not([hidden]) li.operator", { hasText: text }).waitFor({ timeout });
  }
  if (shots) await kk.screenshot({ path: shots + "/story-citizen-offline.png" });
  await fetch(control + "/up");
  await kk.locator(".log li.operator", { hasText: "Екінші қосымша" }).waitFor({ timeout: 30000 });
  const replies = await kk.locator(".log li.operator").evaluateAll((li) => li.map((x) => x.lastChild.textContent));
  const want = ["Сәлеметсіз бе! Анықтаманы eGov арқылы алуға болады.", "Бірінші қосымша", "Екінші қосымша"];
  if (JSON.stringify(replies) !== JSON.stringify(want)) throw new Error("replies lost, repeated or out of order: " + JSON.stringify(replies));
  const keys = await kk.locator(".log li").evaluateAll((li) => li.map((x) => x.dataset.key));
  if (new Set(keys).size !== keys.length) throw new Error("an entry shown twice: " + keys);
  // And the citizen can go on writing.
  await kk.fill("#baylanys-input", "Рақмет!");
  await kk.press("#baylanys-input", "Enter");
  await op.locator(".conv-log:not([hidden]) li.client", { hasText: "Рақмет!" }).waitFor({ timeout });

  // The Russian tab: reply in Russian, then transfer to the second line; the citizen is told.
  await op.locator("#tabs button", { hasText: ruNumber }).click();
  await op.locator(".conv-log:not([hidden]) li.client", { hasText: "вопрос по пособию" }).waitFor({ timeout });
  await op.fill("#reply-text", "Здравствуйте! Передаю вас специалисту по пособиям.");
  await op.press("#reply-text", "Enter");
  await ru.locator(".log li.operator", { hasText: "Передаю вас специалисту" }).waitFor({ timeout });
  if (shots) {
    await op.screenshot({ path: shots + "/story-console.png", fullPage: true });
    await kk.screenshot({ path: shots + "/story-chat.png" });
  }
  await op.click("#tab-transfer");
  await op.selectOption("#transfer-queue", { label: "Second line" });
  await op.fill("#transfer-reason", "пособия");
  await op.getByRole("button", { name: "Ауыстыру" }).click();
  await ru.locator(".log li.system", { hasText: "Ваше обращение передано другому специалисту" }).waitFor({ timeout });
  await op.locator("#tabs button", { hasText: ruNumber }).waitFor({ state: "detached", timeout });
  console.log("story browser test passed");
} finally {
  await browser.close();
}

// The survey page a citizen opens from the link in an e-mail (R5.7): Russian for a Russian
// appeal, five buttons, a comment, one answer, and the thanks; the link again shows the thanks.
import { launch } from "./console-session.mjs";

const link = process.env.SURVEY_LINK;
const shots = process.env.BAYLANYS_SCREENSHOTS;
if (!link) throw new Error("SURVEY_LINK is required");

const browser = await launch();
const timeout = 15000;
try {
  const page = await (await browser.newContext()).newPage();
  await page.goto(link);
  await page.getByText("Оцените качество обслуживания по обращению №").waitFor({ timeout });
  const send = page.getByRole("button", { name: "Отправить" });
  if (!(await send.isDisabled())) throw new Error("sending without a score must not be possible");
  await page.getByRole("button", { name: "4", exact: true }).click();
  await page.getByLabel("Ваш комментарий (необязательно)").fill("Ответили быстро, спасибо");
  if (shots) await page.screenshot({ path: `${shots}/survey-ru.png`, fullPage: true });
  await send.click();
  await page.getByText("Спасибо! Ваша оценка принята.").waitFor({ timeout });
  await page.reload();
  await page.getByText("Оценка по этому обращению уже получена. Спасибо!").waitFor({ timeout });
  console.log("browser test passed");
} finally {
  await browser.close();
}

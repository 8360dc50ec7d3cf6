// What the browser scripts share: headless Chromium as every test launches it, and, for the
// console's, a member of staff signed in to the console (each test's staff log in as `<login>` with the
// password `<login>-password`, as `TestApp::staff` creates them).
import { chromium } from "playwright-core";

export const timeout = 15000;

export function launch(extraArgs = []) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run",
           ...extraArgs],
  });
}

// A new browser context with `login` signed in to the console at `base`, once the work view is up.
export async function signIn(browser, base, login, viewport = { width: 1366, height: 900 }) {
  const page = await (await browser.newContext({ viewport })).newPage();
  await page.goto(base + "/console");
  await page.fill("#login-name", login);
  await page.fill("#login-password", login + "-password");
  await page.press("#login-password", "Enter");
  await page.waitForSelector("#app:not([hidden])", { timeout });
  return page;
}

import { chromium, type Browser } from 'playwright-core';

/**
 * Debian's Chromium (installed by scripts/setup.sh), started headless with the flags that keep it
 * off the network; playwright gives it a fresh temporary profile every time.
 */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

import { spawn } from 'node:child_process';

/**
 * Opens `url` in the operator's browser with the platform's opener, no shell between (the URL is one
 * argument). A machine without one just has the printed URL: any failure is ignored.
 */
export function openBrowser(url: string): void {
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['rundll32', ['url.dll,FileProtocolHandler', url]]
        : ['xdg-open', [url]];
  try {
    const child = spawn(command, args, { stdio: 'ignore', detached: true });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // The URL is printed; the person opens it.
  }
}

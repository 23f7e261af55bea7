import { env } from "@/lib/env";

/** The origin of APP_URL (scheme, host, port): every link and redirect the app builds stays on it. */
export function appOrigin(): string {
  return new URL(env().appUrl).origin;
}

/**
 * Where to send a browser after sign-in or sign-out: a path, or a URL on APP_URL's origin, is kept (on that
 * origin); anything else (another host, another scheme, `//evil.example`) becomes the app's home page.
 */
export function sameOriginRedirect(target: string, origin = appOrigin()): string {
  const home = `${origin}/`;
  let url: URL;
  try {
    url = new URL(target, home);
  } catch {
    return home;
  }
  return url.origin === origin ? url.toString() : home;
}

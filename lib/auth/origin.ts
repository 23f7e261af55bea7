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

/**
 * Moves an absolute `Location` onto `origin`, keeping its path and query (and a `callbackUrl` in that query):
 * the app only ever redirects to its own pages, so another origin in a Location is a wrongly derived host.
 */
export function pinLocation(location: string, origin = appOrigin()): string {
  let url: URL;
  try {
    url = new URL(location, `${origin}/`);
  } catch {
    return `${origin}/`;
  }
  const pinned = new URL(`${url.pathname}${url.search}${url.hash}`, `${origin}/`);
  const callbackUrl = pinned.searchParams.get("callbackUrl");
  if (callbackUrl) pinned.searchParams.set("callbackUrl", sameOriginRedirect(callbackUrl, origin));
  return pinned.toString();
}

type Handler<R extends Request> = (request: R) => Promise<Response>;

/** Wraps a route handler so any redirect it answers stays on APP_URL's origin. */
export function onAppOrigin<R extends Request>(handler: Handler<R>): Handler<R> {
  return async (request) => {
    const response = await handler(request);
    const location = response.headers.get("location");
    if (!location) return response;
    const headers = new Headers(response.headers);
    headers.set("location", pinLocation(location));
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
  };
}

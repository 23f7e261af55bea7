import { entra } from "./entra";
import { google } from "./google";
import { okta } from "./okta";
import { onelogin } from "./onelogin";
import { pingone } from "./pingone";
import type { Dialect, Provider } from "./types";

export const dialects: Record<Provider, Dialect> = { entra, okta, onelogin, pingone, google };
export { providers, type Provider } from "./types";

// Names of environment variables a config may point at (provider keys), and the ones it may not (the server's own).
import { z } from 'zod';

/**
 * The server's own settings (APP_API_TOKEN, APP_DATABASE_URL and the rest of APP_*): a config edited
 * through the API must not send one of them to an endpoint it names, as a key or a header.
 */
export const SERVER_OWNED_ENV = /^APP_/i;

const SERVER_OWNED_MESSAGE = "must not name one of the server's own APP_* variables";

/** The name of an environment variable holding a provider's key. */
export const envName = z
  .string()
  .trim()
  .regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'must be an environment variable name')
  .refine((name) => !SERVER_OWNED_ENV.test(name), { message: SERVER_OWNED_MESSAGE });

/** `${ENV:NAME}` inside a header value: replaced by that variable when the request is made. */
export const ENV_REFERENCE = /\$\{ENV:([A-Za-z_][A-Za-z0-9_]{0,127})\}/g;

/** A header value whose `${ENV:NAME}` references name no server-owned variable. */
export const headerValue = z
  .string()
  .max(4096)
  .refine((value) => !/[\r\n\0]/.test(value), { message: 'must not contain line breaks' })
  .refine((value) => [...value.matchAll(ENV_REFERENCE)].every((match) => !SERVER_OWNED_ENV.test(match[1]!)), {
    message: `\${ENV:NAME} ${SERVER_OWNED_MESSAGE}`,
  });

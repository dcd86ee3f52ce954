/** Reads one request header; node:http lower-cases names and may repeat some. */
export type HeaderReader = (name: string) => string | undefined;

export const API_KEY_HEADER = 'x-api-key';

/** The credential a client presented (an API key or a JWT): `Authorization: Bearer <value>`, else `x-api-key: <key>`. */
export function presentedApiKey(header: HeaderReader): string | undefined {
  const bearer = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header('authorization') ?? '');
  if (bearer?.[1]) return bearer[1];
  const key = header(API_KEY_HEADER)?.trim();
  return key && key.length > 0 ? key : undefined;
}

import { errors, jwtVerify } from 'jose';
import type { Role } from '@seg/platform-subgraph';
import { ROLES } from './api-keys';

/** RFC 7518 (3.2): an HS256 key must be at least as long as the hash, 256 bits. */
export const MIN_JWT_SECRET_BYTES = 32;

/** The claim that carries the caller's role: viewer, marketer or admin. */
export const ROLE_CLAIM = 'role';

/** Leeway for clocks that disagree by a few seconds on `exp` and `nbf`. */
const CLOCK_TOLERANCE_SECONDS = 30;

export interface JwtSettings {
  /** The HS256 key: the UTF-8 bytes of SEG_JWT_SECRET. */
  readonly secret: Uint8Array;
  /** When set, the `iss` claim must equal it. */
  readonly issuer: string | undefined;
  /** When set, the `aud` claim must contain it. */
  readonly audience: string | undefined;
}

export type JwtVerification = { readonly role: Role; readonly subject: string | undefined } | { readonly error: string };

// Base64url of a JSON header starts with `eyJ` ('{"'); three dot-separated base64url parts.
const JWT_SHAPE = /^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** True for a compact JWS (header.payload.signature); any other bearer token is an API key. */
export function looksLikeJwt(token: string): boolean {
  return JWT_SHAPE.test(token);
}

function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** Why a token was refused, for the client; never the token or the key. */
function refusal(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'the token has expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    return error.reason === 'missing' ? `the token has no "${error.claim}" claim` : `the token's "${error.claim}" claim is not accepted`;
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return 'the token must be signed with HS256';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'the token signature does not verify';
  return 'the token is malformed';
}

/**
 * Verifies a bearer JWT: HS256 only (no `none`, no asymmetric algorithm with the secret as a
 * public key), signature, `exp` required, `nbf` when present, `iss` and `aud` when configured,
 * and a `role` claim of viewer, marketer or admin. Expected failures are values with a reason.
 */
export async function verifyJwt(settings: JwtSettings, token: string): Promise<JwtVerification> {
  try {
    const { payload } = await jwtVerify(token, settings.secret, {
      algorithms: ['HS256'],
      requiredClaims: ['exp'],
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      ...(settings.issuer !== undefined ? { issuer: settings.issuer } : {}),
      ...(settings.audience !== undefined ? { audience: settings.audience } : {}),
    });
    const role = payload[ROLE_CLAIM];
    if (!isRole(role)) return { error: `the token's "${ROLE_CLAIM}" claim must be one of ${ROLES.join(', ')}` };
    return { role, subject: payload.sub };
  } catch (error) {
    if (error instanceof errors.JOSEError || error instanceof TypeError) return { error: refusal(error) };
    throw error;
  }
}

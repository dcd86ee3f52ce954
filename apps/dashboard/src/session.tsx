import type { ApolloClient } from '@apollo/client';
import { createContext, useContext } from 'react';
import { mayTry, type Role } from './lib/credential';



export interface Session {
  readonly apiKey: string;
  /** The role the key's prefix announces, lowered after a refusal; undefined: not known. */
  readonly role: Role | undefined;
  readonly client: ApolloClient;
  signOut(): void;
  /** Records that the gateway refused an action that needs `needed`: this key's role is below it. */
  refused(needed: Role): void;
}

export const SessionContext = createContext<Session | undefined>(undefined);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in page');
  return session;
}

/** Whether controls that need `needed` are enabled for this session. */
export function useMayTry(needed: Role): boolean {
  return mayTry(useSession().role, needed);
}

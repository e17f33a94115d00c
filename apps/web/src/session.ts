/** Who is signed in, and the workspace's people and teams the screens name. */
import { createContext, useContext } from 'react';
import type { MeOut, TeamOut, UserOut } from './api.ts';

export interface Directory {
  users: Map<string, UserOut>;
  teams: TeamOut[];
  /** Ids of the teams the signed-in user belongs to. */
  myTeamIds: string[];
}

export interface Session {
  me: MeOut;
  directory: Directory;
  signOut(): void;
  /** One's own account as the API now answers it (My account). */
  refreshMe(user: UserOut): void;
}

export const SessionContext = createContext<Session | null>(null);
export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside a signed-in screen');
  return s;
}

export function userName(d: Directory, id: string | null | undefined): string | null {
  if (!id) return null;
  return d.users.get(id)?.name ?? null;
}

export function teamName(d: Directory, id: string | null | undefined): string | null {
  if (!id) return null;
  return d.teams.find((t) => t.id === id)?.name ?? null;
}

// The signed-in user, shared through a context. The session itself is the HttpOnly cookie.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

export interface User {
  id: number | string;
  email: string;
  name?: string;
  role: string;
  team_id?: number | string | null;
  locale?: string;
  time_zone?: string | null;
}

export const SessionContext = createContext<User | null>(null);

export function useUser(): User {
  const u = useContext(SessionContext);
  if (!u) throw new Error('no session');
  return u;
}

export const isAdmin = (u: User) => u.role === 'admin';
export const isManager = (u: User) => u.role === 'admin' || u.role === 'manager';

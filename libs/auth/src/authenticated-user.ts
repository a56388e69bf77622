/** Who is calling, as proven by a verified access token. */
export interface AuthenticatedUser {
  id: string;
  roles: string[];
  /** When the token stops being valid (a live stream ends then). */
  expiresAt: Date;
}

export const ADMIN_ROLE = 'admin';
